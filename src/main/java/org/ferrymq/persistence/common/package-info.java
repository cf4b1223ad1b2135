/**
 * Parts shared by the durable backends: the binary {@link
 * org.ferrymq.persistence.common.RecordCodec} for stored records and the {@link
 * org.ferrymq.persistence.common.GroupCommitter} that turns many durability requests into one
 * commit and sync.
 */
package org.ferrymq.persistence.common;
