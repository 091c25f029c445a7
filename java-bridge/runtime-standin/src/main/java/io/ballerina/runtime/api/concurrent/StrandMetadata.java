package io.ballerina.runtime.api.concurrent;

import java.util.Map;

/**
 * Stand-in of {@code io.ballerina.runtime.api.concurrent.StrandMetadata}, a record in 2201.11:
 * {@code isConcurrentSafe} = the strand may run without the runtime's lock for non-isolated code.
 */
public record StrandMetadata(boolean isConcurrentSafe, Map<String, Object> properties) {
}
