// Module initialization: hands the module to the Java bridge so that it can create
// `mqtt:Error` values and instances of the module's classes (`Caller`, the receive stream).

import ballerina/jballerina.java;

function init() {
    setModule();
}

function setModule() = @java:Method {
    'class: "io.ballerina.lib.mqtt.adapter.ModuleUtils",
    name: "setModule"
} external;
