package org.ferrymq.packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable set of MQTT 5 properties. Single-valued properties are held by {@link Property};
 * the repeatable ones (User Property, Subscription Identifier) as ordered lists. Values are
 * {@link Integer} for byte/two-byte/variable-byte integers, {@link Long} for four-byte integers,
 * {@link String} for UTF-8 strings and {@code byte[]} for binary data.
 *
 * <p>Which properties a packet may carry is checked by the codec, not here, so that the engine
 * can build properties freely and have the encoder drop those a packet cannot carry.
 */
public final class Properties {

  /** No properties; what every MQTT 3 packet carries. */
  public static final Properties EMPTY = new Builder().build();

  private final Object[] values;
  private final List<UserProperty> userProperties;
  private final List<Integer> subscriptionIdentifiers;
  /** Computed on first use; -1 until then (a benign race: every thread computes the same). */
  private int sizeInBytes = -1;

  private Properties(Builder b) {
    this.values = b.values.clone();
    this.userProperties = List.copyOf(b.userProperties);
    this.subscriptionIdentifiers = List.copyOf(b.subscriptionIdentifiers);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** @return a builder holding these properties, to derive a modified copy */
  public Builder toBuilder() {
    Builder b = new Builder();
    System.arraycopy(values, 0, b.values, 0, values.length);
    b.userProperties.addAll(userProperties);
    b.subscriptionIdentifiers.addAll(subscriptionIdentifiers);
    return b;
  }

  public boolean isEmpty() {
    return userProperties.isEmpty() && subscriptionIdentifiers.isEmpty()
        && Arrays.stream(values).allMatch(Objects::isNull);
  }

  /** @return whether a single-valued property is present, or a repeatable one at least once */
  public boolean has(Property p) {
    return switch (p) {
      case USER_PROPERTY -> !userProperties.isEmpty();
      case SUBSCRIPTION_IDENTIFIER -> !subscriptionIdentifiers.isEmpty();
      default -> values[p.ordinal()] != null;
    };
  }

  /** @return the raw value of a single-valued property, or {@code null} when absent */
  public Object get(Property p) {
    return values[p.ordinal()];
  }

  public Integer getInt(Property p) {
    return (Integer) values[p.ordinal()];
  }

  public Long getLong(Property p) {
    return (Long) values[p.ordinal()];
  }

  public String getString(Property p) {
    return (String) values[p.ordinal()];
  }

  public byte[] getBytes(Property p) {
    return (byte[]) values[p.ordinal()];
  }

  /** @return an int property, or the default when absent */
  public int intOr(Property p, int defaultValue) {
    Integer v = getInt(p);
    return v == null ? defaultValue : v;
  }

  /** @return a four-byte integer property, or the default when absent */
  public long longOr(Property p, long defaultValue) {
    Long v = getLong(p);
    return v == null ? defaultValue : v;
  }

  public List<UserProperty> userProperties() {
    return userProperties;
  }

  public List<Integer> subscriptionIdentifiers() {
    return subscriptionIdentifiers;
  }

  /**
   * @return about the bytes these properties take on the wire: each identifier, value and length
   *     prefix, user properties included. Queue and retained-message bounds count it, so a
   *     message cannot carry unbounded state in its properties past them.
   */
  public int sizeInBytes() {
    int size = sizeInBytes;
    if (size < 0) {
      size = 0;
      for (Object v : values) {
        if (v != null) {
          size += 1 + valueSize(v);
        }
      }
      for (UserProperty u : userProperties) {
        size += 1 + valueSize(u.name()) + valueSize(u.value());
      }
      size += 5 * subscriptionIdentifiers.size();
      sizeInBytes = size;
    }
    return size;
  }

  private static int valueSize(Object v) {
    if (v instanceof String s) {
      return 2 + s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    if (v instanceof byte[] b) {
      return 2 + b.length;
    }
    return 4;
  }

  /** @return the properties present, single-valued ones in identifier order (for encoding) */
  public List<Property> present() {
    List<Property> out = new ArrayList<>();
    for (Property p : Property.values()) {
      if (has(p)) {
        out.add(p);
      }
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Properties other)) {
      return false;
    }
    return Arrays.deepEquals(values, other.values)
        && userProperties.equals(other.userProperties)
        && subscriptionIdentifiers.equals(other.subscriptionIdentifiers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.deepHashCode(values), userProperties, subscriptionIdentifiers);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Properties{");
    for (Property p : present()) {
      Object v = switch (p) {
        case USER_PROPERTY -> userProperties;
        case SUBSCRIPTION_IDENTIFIER -> subscriptionIdentifiers;
        default -> values[p.ordinal()] instanceof byte[] bytes
            ? bytes.length + " bytes" : values[p.ordinal()];
      };
      sb.append(p).append('=').append(v).append(", ");
    }
    return sb.append('}').toString();
  }

  /** Builds {@link Properties}; rejects values that do not fit the property's data type. */
  public static final class Builder {
    private final Object[] values = new Object[Property.values().length];
    private final List<UserProperty> userProperties = new ArrayList<>();
    private final List<Integer> subscriptionIdentifiers = new ArrayList<>();

    private Builder() {
    }

    /** Sets a single-valued integer property (byte, two-byte, four-byte or varint typed). */
    public Builder put(Property p, long value) {
      long max = switch (p.type()) {
        case BYTE -> 0xFF;
        case TWO_BYTE_INTEGER -> 0xFFFF;
        case FOUR_BYTE_INTEGER -> 0xFFFF_FFFFL;
        case VARIABLE_BYTE_INTEGER -> 268_435_455;
        default -> throw new IllegalArgumentException(p + " is not an integer property");
      };
      if (value < 0 || value > max) {
        throw new IllegalArgumentException(p + " out of range: " + value);
      }
      if (p == Property.SUBSCRIPTION_IDENTIFIER) {
        subscriptionIdentifiers.add((int) value);
      } else {
        values[p.ordinal()] = p.type() == Property.Type.FOUR_BYTE_INTEGER ? (Object) value
            : (Object) (int) value;
      }
      return this;
    }

    /** Sets a UTF-8 string property. */
    public Builder put(Property p, String value) {
      if (p.type() != Property.Type.UTF8_STRING) {
        throw new IllegalArgumentException(p + " is not a string property");
      }
      values[p.ordinal()] = Objects.requireNonNull(value);
      return this;
    }

    /** Sets a binary property; the array is kept, not copied. */
    public Builder put(Property p, byte[] value) {
      if (p.type() != Property.Type.BINARY_DATA) {
        throw new IllegalArgumentException(p + " is not a binary property");
      }
      values[p.ordinal()] = Objects.requireNonNull(value);
      return this;
    }

    public Builder remove(Property p) {
      switch (p) {
        case USER_PROPERTY -> userProperties.clear();
        case SUBSCRIPTION_IDENTIFIER -> subscriptionIdentifiers.clear();
        default -> values[p.ordinal()] = null;
      }
      return this;
    }

    public Builder userProperty(String name, String value) {
      userProperties.add(new UserProperty(name, value));
      return this;
    }

    public Builder userProperties(List<UserProperty> list) {
      userProperties.addAll(list);
      return this;
    }

    public Builder subscriptionIdentifiers(List<Integer> ids) {
      ids.forEach(id -> put(Property.SUBSCRIPTION_IDENTIFIER, id));
      return this;
    }

    /** @return whether a single-valued property has already been set (duplicate detection) */
    public boolean has(Property p) {
      return values[p.ordinal()] != null;
    }

    public Properties build() {
      return new Properties(this);
    }
  }
}
