package org.ferrymq.engine;

/**
 * Login counters since start, and what is pending now.
 *
 * @param failures logins refused for their credentials (0x86, 0x87)
 * @param throttled logins refused unchecked by the login throttle (0x9F / return code 5)
 * @param refusedBusy CONNECTs refused because the credential-check queue was full (0x89 /
 *     return code 3)
 * @param checksPending credential checks waiting or running now
 * @param throttleTracked source addresses plus user names the throttle tracks now
 * @param takeoversRefused CONNECTs refused since start because their client id belongs to
 *     another identity's session (0x85 / return code 2)
 */
public record AuthStats(long failures, long throttled, long refusedBusy, int checksPending,
    int throttleTracked, long takeoversRefused) {
}
