package io.ballerina.lib.mqtt.adapter;

import io.ballerina.runtime.api.Module;
import io.ballerina.runtime.api.types.ArrayType;
import io.ballerina.runtime.api.types.ErrorType;
import io.ballerina.runtime.api.types.FunctionType;
import io.ballerina.runtime.api.types.MethodType;
import io.ballerina.runtime.api.types.NullType;
import io.ballerina.runtime.api.types.ObjectType;
import io.ballerina.runtime.api.types.Parameter;
import io.ballerina.runtime.api.types.RemoteMethodType;
import io.ballerina.runtime.api.types.ServiceType;
import io.ballerina.runtime.api.types.StreamType;
import io.ballerina.runtime.api.types.Type;
import io.ballerina.runtime.api.types.UnionType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Test-side implementations of the stand-in's type interfaces. */
final class FakeTypes {
    static final Module MQTT = new Module("ballerina", "mqtt", "1");
    static final Module BUILTIN = new Module(null, null, null);

    private FakeTypes() {
    }

    abstract static class Base implements Type {
        final String name;
        final Module pkg;

        Base(String name, Module pkg) {
            this.name = name;
            this.pkg = pkg;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public Module getPackage() {
            return pkg;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final class Rec extends Base {
        Rec(String name, Module pkg) {
            super(name, pkg);
        }
    }

    static final class Err extends Base implements ErrorType {
        Err(String name, Module pkg) {
            super(name, pkg);
        }
    }

    static final class Nil extends Base implements NullType {
        Nil() {
            super("()", BUILTIN);
        }
    }

    static final class Stream extends Base implements StreamType {
        Stream() {
            super("stream<Message, error?>", BUILTIN);
        }
    }

    static final class Arr extends Base implements ArrayType {
        final Type element;

        Arr(Type element) {
            super(element.getName() + "[]", BUILTIN);
            this.element = element;
        }
    }

    static final class Union extends Base implements UnionType {
        final List<Type> members;

        Union(Type... members) {
            super("union", BUILTIN);
            this.members = List.of(members);
        }

        @Override
        public List<Type> getMemberTypes() {
            return members;
        }
    }

    /** A type definition's reference type (e.g. {@code mqtt:Message} seen from user code). */
    static final class Ref extends Base {
        final Type referred;

        Ref(Type referred) {
            super(referred.getName(), referred.getPackage());
            this.referred = referred;
        }
    }

    /** An object type, not a service. */
    static class Obj extends Base implements ObjectType {
        final boolean isolated;
        final List<MethodType> methods = new ArrayList<>();
        final Set<String> isolatedMethods = new HashSet<>();

        Obj(String name, Module pkg, boolean isolated) {
            super(name, pkg);
            this.isolated = isolated;
        }

        @Override
        public MethodType[] getMethods() {
            return methods.toArray(new MethodType[0]);
        }

        @Override
        public boolean isIsolated() {
            return isolated;
        }

        @Override
        public boolean isIsolated(String methodName) {
            return isolatedMethods.contains(methodName);
        }
    }

    static final class Svc extends Obj implements ServiceType {
        Svc(boolean isolated) {
            super("$anonService", MQTT, isolated);
        }

        @Override
        public RemoteMethodType[] getRemoteMethods() {
            return methods.stream().filter(m -> m instanceof RemoteMethodType).toArray(RemoteMethodType[]::new);
        }
    }

    static class Method extends Base implements MethodType {
        final Parameter[] parameters;
        final Type returnType;
        final boolean isolated;

        Method(String name, boolean isolated, Type returnType, Type... params) {
            super(name, BUILTIN);
            this.isolated = isolated;
            this.returnType = returnType;
            this.parameters = new Parameter[params.length];
            for (int i = 0; i < params.length; i++) {
                parameters[i] = new Parameter("p" + i, false, null, params[i]);
            }
        }

        @Override
        public Parameter[] getParameters() {
            return parameters.clone();
        }

        @Override
        public Type getReturnType() {
            return returnType;
        }

        @Override
        public FunctionType getType() {
            return this;
        }

        @Override
        public boolean isIsolated() {
            return isolated;
        }
    }

    static final class Remote extends Method implements RemoteMethodType {
        Remote(String name, boolean isolated, Type returnType, Type... params) {
            super(name, isolated, returnType, params);
        }
    }
}
