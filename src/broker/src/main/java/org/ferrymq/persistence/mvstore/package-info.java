/**
 * The embedded durable persistence backend on an H2 MVStore file, with group commit. See
 * docs/persistence.md for the file layout, versioning and the reasons for the choice.
 */
package org.ferrymq.persistence.mvstore;
