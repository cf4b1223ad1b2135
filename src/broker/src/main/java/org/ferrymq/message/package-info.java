/**
 * The application message as the broker keeps it: what a PUBLISH (or a Will, or an in-process
 * publisher) carries, once accepted. Below the engine and the stores, which both hold it, so that
 * neither depends on the other.
 */
package org.ferrymq.message;
