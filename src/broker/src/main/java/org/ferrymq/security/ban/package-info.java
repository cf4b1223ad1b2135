/**
 * Bans: client identifiers, user names and network addresses (single addresses or CIDR ranges)
 * that the broker refuses at CONNECT with reason code 0x8A Banned. The list is an immutable
 * snapshot replaced on each change, so lanes read it without locks; a {@link
 * org.ferrymq.security.ban.BanStore} keeps it across restarts.
 */
package org.ferrymq.security.ban;
