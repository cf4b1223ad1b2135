// The dashboard's topic matcher against the broker's rule table: every example of
// TopicMatchingRulesTest (src/test/java/org/ferrymq/topic), which checks the same rules against
// the Java TopicMatcher, SubscriptionTree and RetainedTree. Run: node --test src/test/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidFilter, isValidTopicName, topicMatches } from '../../../../../webapp/js/topic-match.js';

const RULES = [
  // '#' matches the parent level and any number of further levels
  ['sport/tennis/player1/#', 'sport/tennis/player1', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
  ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
  ['sport/tennis/player1/#', 'sport/tennis', false],
  ['sport/tennis/player1/#', 'sport/tennis/player2', false],
  ['sport/tennis/player1/#', 'sport/tennis/player11', false],
  ['sport/#', 'sport', true],
  ['sport/#', 'sport/', true],
  ['sport/#', 'sport/a/b', true],
  ['sport/#', 'sports', false],
  ['sport/#', 'Sport/a', false],
  ['/#', '/', true],
  ['/#', '/a', true],
  ['/#', 'a', false],
  // '+' matches exactly one level, including an empty one
  ['sport/+', 'sport/', true],
  ['sport/+', 'sport/tennis', true],
  ['sport/+', 'sport', false],
  ['sport/+', 'sport/tennis/x', false],
  ['+', 'a', true],
  ['+', 'a b', true],
  ['+', '/', false],
  ['+', '/a', false],
  ['+', 'a/b', false],
  ['+/+', '/finance', true],
  ['+/+', '/', true],
  ['+/+', 'a/b', true],
  ['+/+', 'a', false],
  ['+/+', 'a/b/c', false],
  ['/+', '/finance', true],
  ['/+', '/', true],
  ['/+', 'finance', false],
  ['/+', '/a/b', false],
  ['a/+/b', 'a//b', true],
  ['a/+/b', 'a/x/b', true],
  ['a/+/b', 'a/b', false],
  ['a/+/b', 'a/x/y/b', false],
  ['+/#', 'a', true],
  ['+/#', 'a/b', true],
  // '#' alone matches everything except $-topics
  ['#', 'a', true],
  ['#', '/', true],
  ['#', '/a', true],
  ['#', 'a//b', true],
  ['#', '$SYS', false],
  ['#', '$SYS/broker/load', false],
  // empty levels are levels; exact, case-sensitive, no normalisation
  ['a//b', 'a//b', true],
  ['a//b', 'a/b', false],
  ['a//b', 'a/x/b', false],
  ['a//b', 'a///b', false],
  ['a/b', 'a/b', true],
  ['a/b', 'A/b', false],
  ['a/b', 'a/b/', false],
  ['a/b', 'a//b', false],
  ['a/b', '/a/b', false],
  // [MQTT-4.7.2-1] first-level wildcards do not match $-topics, literal $ levels do
  ['+', '$SYS', false],
  ['+/monitor/Clients', 'a/monitor/Clients', true],
  ['+/monitor/Clients', '$SYS/monitor/Clients', false],
  ['+/#', '$SYS/x', false],
  ['$SYS/#', '$SYS', true],
  ['$SYS/#', '$SYS/broker/load', true],
  ['$SYS/#', '$sys/broker', false],
  ['$SYS/#', 'SYS/broker', false],
  ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
  ['$SYS/monitor/+', '$SYS/monitor', false],
];

for (const [filter, topic, expected] of RULES) {
  test(`${filter} ~ ${topic}: ${expected}`, () => {
    assert.equal(topicMatches(filter, topic), expected);
  });

  test(`$share/g/${filter} ~ ${topic}: ${expected}`, () => {
    assert.equal(topicMatches(`$share/g/${filter}`, topic), expected);
  });
}

test('several + levels each match exactly one level', () => {
  assert.equal(topicMatches('+/+/+', 'a/b/c'), true);
  assert.equal(topicMatches('a/+/+/d', 'a/b/c/d'), true);
  assert.equal(topicMatches('a/+/+/d', 'a/b/d'), false);
  assert.equal(topicMatches('+/+/#', 'a/b'), true);
  assert.equal(topicMatches('+/+/#', 'a'), false);
});

test('filter characters that are special in regular expressions match literally', () => {
  assert.equal(topicMatches('a.b/(c)', 'a.b/(c)'), true);
  assert.equal(topicMatches('a.b/+', 'axb/c'), false);
  assert.equal(topicMatches('a*/[x]', 'aaa/x'), false);
});

for (const filter of ['', 'sport/tennis#', 'sport/#/ranking', 'sport+', 'a/+b', '$share/g',
  '$share/g/', '$share/g+/a', '$share//a', 'a\u0000b']) {
  test(`invalid filter '${filter}' is rejected`, () => {
    assert.equal(isValidFilter(filter), false);
    assert.throws(() => topicMatches(filter, 'a'), TypeError);
  });
}

for (const filter of ['#', 'sport/#', '+', '+/tennis/#', 'sport/+/player1', '/+', 'a//b',
  '$SYS/#', '$share/g/a/+']) {
  test(`valid filter '${filter}' is accepted`, () => {
    assert.equal(isValidFilter(filter), true);
  });
}

for (const topic of ['', 'a/+', '#', 'a/#']) {
  test(`invalid topic name '${topic}' is rejected`, () => {
    assert.equal(isValidTopicName(topic), false);
    assert.throws(() => topicMatches('#', topic), TypeError);
  });
}
