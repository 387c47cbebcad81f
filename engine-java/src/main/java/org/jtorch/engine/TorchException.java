package org.jtorch.engine;

/**
 * The one exception type the engine throws for bad input. {@link #kind} names the Python exception a
 * PyTorch user would get (RuntimeError, IndexError, TypeError, ValueError, NotImplementedError); the
 * Python layer re-raises it as that type. Java callers can catch it directly.
 */
public final class TorchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind { RUNTIME("RuntimeError"), INDEX("IndexError"), TYPE("TypeError"), VALUE("ValueError"),
        NOT_IMPLEMENTED("NotImplementedError");
        public final String pyName;
        Kind(String pyName) { this.pyName = pyName; }
    }

    public final Kind kind;

    public TorchException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public String pyType() { return kind.pyName; }

    /**
     * Lets a language binding turn engine errors into its own exceptions (the Python bridge raises the
     * matching Python exception from here). It may throw; if it returns, the TorchException is thrown.
     */
    @FunctionalInterface
    public interface Translator { void raise(TorchException e); }

    private static volatile Translator translator;

    public static void setTranslator(Translator t) { translator = t; }

    private static TorchException make(Kind kind, String msg) {
        TorchException e = new TorchException(kind, msg);
        Translator t = translator;
        if (t != null) t.raise(e);
        return e;
    }

    public static TorchException runtime(String msg) { return make(Kind.RUNTIME, msg); }
    public static TorchException index(String msg) { return make(Kind.INDEX, msg); }
    public static TorchException type(String msg) { return make(Kind.TYPE, msg); }
    public static TorchException value(String msg) { return make(Kind.VALUE, msg); }
    public static TorchException notImplemented(String msg) { return make(Kind.NOT_IMPLEMENTED, msg); }
}
