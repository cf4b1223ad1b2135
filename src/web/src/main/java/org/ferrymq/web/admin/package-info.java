/**
 * The administration REST API under {@code /api} that the dashboard uses: who the caller is
 * ({@code /api/me}, open to everyone); and, for role {@code administrator} only (HTTP basic
 * authentication against the server's user registry), the broker's sessions in summary and in
 * detail with an administrative disconnect and session deletion, retained messages, publishing,
 * and bans. The role is mapped to registry users or groups in server.xml.
 */
package org.ferrymq.web.admin;
