package io.ballerina.runtime.api.concurrent;

import java.util.Map;

/**
 * Stand-in of {@code io.ballerina.runtime.api.concurrent.StrandMetadata} (Ballerina 2201.11+):
 * {@code isConcurrentSafe} = the strand may run in parallel (an isolated method of an isolated object).
 */
public record StrandMetadata(boolean isConcurrentSafe, Map<String, Object> properties) {
}
