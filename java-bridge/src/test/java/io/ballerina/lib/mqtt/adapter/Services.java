package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.values.BObject;

/** Builds service BObjects: a declared Ballerina service type plus the Java target that the fake runtime calls. */
final class Services {
    private final FakeTypes.Svc type;

    private Services(boolean isolated) {
        this.type = new FakeTypes.Svc(isolated);
    }

    static Services service(boolean isolated) {
        return new Services(isolated);
    }

    Services remote(String name, boolean isolated, Type returnType, Type... params) {
        type.methods.add(new FakeTypes.Remote(name, isolated, returnType, params));
        if (isolated) {
            type.isolatedMethods.add(name);
        }
        return this;
    }

    Services remote(String name, Type... params) {
        return remote(name, false, Bal.NIL, params);
    }

    Services plain(String name, Type... params) {
        type.methods.add(new FakeTypes.Method(name, false, Bal.NIL, params));
        return this;
    }

    BObject on(Object target) {
        return new FakeValues.Obj(type, target);
    }
}
