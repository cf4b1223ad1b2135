package org.ferrymq.cluster;

/**
 * An order-independent digest of one node's filters and their member counts: how many, and
 * the sum of a hash of each. Two sides with equal digests hold the same filters but for a
 * hash collision, which at worst leaves a difference to a later reconciliation; building one
 * allocates nothing per filter. Not thread-safe: one thread builds it, then compares it.
 */
final class FilterDigest {
  private int filters;
  private long sum;

  /**
   * @param filterHash the filter's {@link String#hashCode()}
   * @param members the node's member count of a shared group, 1 for a plain filter
   */
  void add(int filterHash, int members) {
    filters++;
    sum += filterHash * 31L + members;
  }

  /** @return the {@link String#hashCode()} of {@code text} from {@code start}, without a copy */
  static int hashFrom(String text, int start) {
    int h = 0;
    for (int i = start; i < text.length(); i++) {
      h = 31 * h + text.charAt(i);
    }
    return h;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FilterDigest d && d.filters == filters && d.sum == sum;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(sum * 31 + filters);
  }

  @Override
  public String toString() {
    return filters + " filters";
  }
}
