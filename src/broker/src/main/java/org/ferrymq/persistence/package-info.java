/**
 * Persistence SPI. The engine keeps its working state in memory and writes every change that
 * must survive a restart through these narrow interfaces; on start it reads them back.
 * {@link org.ferrymq.persistence.memory.MemoryPersistence} serves unit tests (and lets them
 * simulate a restart by handing the same instance to a new broker); durable implementations
 * live beside it. Calls come from session lanes, concurrently for different clients, and
 * never concurrently for the same client.
 */
package org.ferrymq.persistence;
