package io.ballerina.runtime.api.utils;

import io.ballerina.runtime.api.values.BString;
import io.ballerina.runtime.standin.StandIn;

/** Stand-in of {@code io.ballerina.runtime.api.utils.StringUtils}; the one method the adapters use. */
public class StringUtils {
    private StringUtils() {
    }

    public static BString fromString(String s) {
        return s == null ? null : StandIn.provider().fromString(s);
    }
}
