package org.ferrymq.persistence.mvstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system, {@value #PREFIX}, that passes everything to the disk until a test makes a
 * directory "full": from then on every write, force and growth of a file in it fails with
 * {@code IOException("No space left on device")}, as a full disk makes {@code write(2)} fail
 * with ENOSPC, until the test frees it. Reads keep working, as on a full disk.
 *
 * <p>Give the store {@link #PREFIX} as its file-system prefix; failures are per directory, so
 * tests running side by side do not disturb each other.
 */
public final class FaultInjectingFileSystem extends FilePathWrapper {
  /** Put before the store file name. */
  public static final String PREFIX = "ferrymq-fault:";
  private static final Set<String> FULL = ConcurrentHashMap.newKeySet();

  static {
    FilePath.register(new FaultInjectingFileSystem());
  }

  /** Registers the file system with H2 (once) and returns the prefix to use. */
  public static String prefix() {
    return PREFIX;
  }

  /** Every write to a file in {@code dir} fails from now on. */
  public static void fill(Path dir) {
    FULL.add(dir.toAbsolutePath().toString());
  }

  /** Writes to {@code dir} work again. */
  public static void free(Path dir) {
    FULL.remove(dir.toAbsolutePath().toString());
  }

  @Override
  public String getScheme() {
    return "ferrymq-fault";
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    Path dir = Path.of(getBase().toString()).toAbsolutePath().getParent();
    return new Channel(getBase().open(mode), dir.toString());
  }

  /** Delegates to the real channel; refuses changes while its directory is full. */
  private static final class Channel extends FileChannel {
    private final FileChannel base;
    private final String dir;

    Channel(FileChannel base, String dir) {
      this.base = base;
      this.dir = dir;
    }

    private void checkSpace() throws IOException {
      if (FULL.contains(dir)) {
        throw new IOException("No space left on device (injected)");
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return base.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return base.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      checkSpace();
      return base.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      checkSpace();
      return base.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return base.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      base.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return base.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      checkSpace();
      base.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      checkSpace();
      base.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return base.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      checkSpace();
      return base.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return base.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      checkSpace();
      return base.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return base.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return base.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return base.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      base.close();
    }
  }
}
