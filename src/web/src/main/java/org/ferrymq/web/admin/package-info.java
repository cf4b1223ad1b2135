/**
 * The administration REST API under {@code /api} that the dashboard uses: who the caller is
 * ({@code /api/me}, open to everyone) and the broker's sessions with an administrative disconnect
 * ({@code /api/clients}, role {@code administrator} only, HTTP basic authentication against the
 * server's user registry). The role is mapped to registry users or groups in server.xml.
 */
package org.ferrymq.web.admin;
