/**
 * The Ballerina interop adapters: the static methods that the {@code @java:Method} annotations of
 * {@code ballerina/*.bal} name (see ballerina/ADAPTERS.md). They only convert Ballerina values to the
 * host API ({@code io.ballerina.lib.mqtt.engine}) and back ({@link io.ballerina.lib.mqtt.adapter.Values}),
 * turn every failure into an {@code mqtt:Error} ({@link io.ballerina.lib.mqtt.adapter.Errors}) — they
 * never throw — and wait only in Java, inside {@code Environment.yieldAndRun}.
 */
package io.ballerina.lib.mqtt.adapter;
