package org.ferrymq.security.ban;

import java.util.Collection;
import java.util.List;

/** Where a {@link BanList} is kept between restarts. */
public interface BanStore {

  /** Keeps nothing: the list lives as long as the broker. */
  BanStore NONE = new BanStore() {
    @Override
    public List<Ban> load() {
      return List.of();
    }

    @Override
    public void save(Collection<Ban> bans) {
    }
  };

  /**
   * @return the bans stored, empty when none were
   * @throws java.io.UncheckedIOException when the store cannot be read
   */
  List<Ban> load();

  /**
   * Replaces what is stored with {@code bans}, all or nothing.
   *
   * @throws java.io.UncheckedIOException when the store cannot be written
   */
  void save(Collection<Ban> bans);
}
