/*
 * The dashboard's one topic matcher. It follows the rules in the header comment of
 * org/ferrymq/topic/SubscriptionTree.java, the same ones the broker's TopicMatcher implements:
 * levels split at every '/', empty levels are levels, '+' is exactly one level (empty included),
 * '#' is the whole last level and also matches its parent, first-level wildcards never match
 * $-topics, "$share/<name>/<filter>" matches like <filter>. Levels are compared as strings: no
 * regular expression is ever built from a filter.
 */

const SHARE_PREFIX = '$share/';

/**
 * @param {string} filter a topic filter
 * @returns {boolean} whether the filter is valid (MQTT 3.1.1/5 section 4.7.1, 4.8.2)
 */
export function isValidFilter(filter) {
  if (typeof filter !== 'string' || filter.length === 0 || filter.includes('\u0000')) {
    return false;
  }
  let levels = filter.split('/');
  if (filter.startsWith(SHARE_PREFIX)) {
    const shareName = levels[1];
    if (levels.length < 3 || shareName.length === 0 || shareName.includes('+')
        || shareName.includes('#')) {
      return false;
    }
    levels = levels.slice(2);
    if (levels.length === 1 && levels[0] === '') {
      return false;
    }
  }
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return false;
    }
    if (level.includes('+') && level !== '+') {
      return false;
    }
  }
  return true;
}

/**
 * @param {string} topic a topic name
 * @returns {boolean} whether it is a valid topic name: not empty, no wildcards, no NUL
 */
export function isValidTopicName(topic) {
  return typeof topic === 'string' && topic.length > 0 && !topic.includes('+')
      && !topic.includes('#') && !topic.includes('\u0000');
}

/**
 * Tells whether a topic filter matches a topic name.
 *
 * @param {string} filter a valid topic filter
 * @param {string} topic a valid topic name
 * @returns {boolean} whether the filter matches the topic
 * @throws {TypeError} when the filter or the topic is invalid
 */
export function topicMatches(filter, topic) {
  if (!isValidFilter(filter)) {
    throw new TypeError(`Invalid topic filter: '${filter}'`);
  }
  if (!isValidTopicName(topic)) {
    throw new TypeError(`Invalid topic name: '${topic}'`);
  }
  let filterLevels = filter.split('/');
  if (filter.startsWith(SHARE_PREFIX)) {
    filterLevels = filterLevels.slice(2);
  }
  const topicLevels = topic.split('/');
  const first = filterLevels[0];
  if (topic.startsWith('$') && (first === '+' || first === '#')) {
    return false;
  }
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') {
      return true;
    }
    if (i >= topicLevels.length) {
      return false;
    }
    if (level !== '+' && level !== topicLevels[i]) {
      return false;
    }
  }
  return filterLevels.length === topicLevels.length;
}
