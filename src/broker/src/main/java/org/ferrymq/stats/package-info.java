/**
 * Measurement values shared by the engine and the stores (latency histograms), at the bottom of
 * the layers: they depend on nothing else of FerryMQ.
 */
package org.ferrymq.stats;
