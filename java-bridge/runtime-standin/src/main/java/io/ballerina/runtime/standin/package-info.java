/**
 * Not part of the Ballerina runtime API: the hook through which tests give the stand-in's static
 * factories ({@code ValueCreator}, {@code ErrorCreator}, {@code TypeCreator}, {@code StringUtils},
 * {@code TypeUtils}) an implementation. Production code (the adapters) must never use this package;
 * {@code AdapterIsolationTest} checks that.
 */
package io.ballerina.runtime.standin;
