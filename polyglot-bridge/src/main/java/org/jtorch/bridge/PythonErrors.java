package org.jtorch.bridge;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.jtorch.engine.TorchException;

/**
 * Raises engine errors as Python exceptions of PyTorch's types. The shim exports a function
 * {@code jtorch_raise(type_name, message)} into the polyglot bindings; when an engine error happens during
 * a call from Python, the exception object it returns is thrown as a guest exception, so Python code sees
 * a plain RuntimeError/IndexError/... with the engine's message.
 */
final class PythonErrors {
    private PythonErrors() {}

    static void install() {
        TorchException.setTranslator(PythonErrors::raise);
    }

    private static void raise(TorchException e) {
        Context c;
        try {
            c = Context.getCurrent();
        } catch (IllegalStateException notInPython) {
            return;
        }
        Value f = c.getPolyglotBindings().getMember("jtorch_raise");
        if (f == null || f.isNull()) return;
        throw f.execute(e.pyType(), e.getMessage()).throwException();
    }
}
