/**
 * Parts shared by the durable backends: {@link org.ferrymq.persistence.common.DurablePersistence},
 * the base that owns their lifecycle and fault glue; {@link
 * org.ferrymq.persistence.common.StoreChecks}, the format check and record verification at open;
 * the binary {@link org.ferrymq.persistence.common.RecordCodec} for stored records; and the {@link
 * org.ferrymq.persistence.common.GroupCommitter} that turns many durability requests into one
 * commit and sync.
 */
package org.ferrymq.persistence.common;
