package org.jtorch.bridge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;
import org.jtorch.autograd.Variable;
import org.jtorch.engine.Tensor;

/**
 * A Python {@code torch.nn.Module} seen from Java. Tensors go in and come out without copying (see
 * docs/embedding.md). Belongs to its {@link Session}: the same one-thread-at-a-time rule applies.
 *
 * <ul>
 * <li>{@link #call(Tensor...)}: inference, no autograd graph recorded;</li>
 * <li>{@link #forward(Variable...)}: records the graph, for training ({@code loss.backward()} from Java);</li>
 * <li>{@link #invoke(Object...)}: any arguments and results (lists, dicts, numbers...).</li>
 * </ul>
 */
public final class PyModule {
    private final Session session;
    private final Value module;

    PyModule(Session session, Value module) {
        this.session = session;
        this.module = module;
    }

    /** The Python module object. */
    public Value value() { return module; }

    public Session session() { return session; }

    /**
     * {@code module(*inputs)} with grad disabled (inference); the module must return one tensor. The inputs are
     * wrapped without copying (an in-place write by the module is seen in the caller's arrays), and the result
     * is the engine tensor the Python result holds (possibly a view of an input or a parameter).
     */
    public Tensor call(Tensor... inputs) {
        Variable[] vs = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) vs[i] = new Variable(inputs[i]);
        Value r = session.callTensor(module, false, vs);
        return r.<Variable>asHostObject().data;
    }

    /** {@code module(*inputs)} with grad enabled: the result carries the autograd graph (call backward() on a loss). */
    public Variable forward(Variable... inputs) {
        return session.callTensor(module, true, inputs).asHostObject();
    }

    /**
     * {@code module(*args)} under the current grad mode, arguments converted by {@link Session#toPython} and the
     * result by {@link Session#toJava} (tensors as {@link Variable}s, tuples as lists, ...).
     */
    public Object invoke(Object... args) {
        return session.toJava(session.callRaw(module, null, args));
    }

    /** Calls a method of the module, e.g. {@code method("extra_repr")}; conversions as {@link #invoke}. */
    public Object method(String name, Object... args) {
        return session.call(attr(name), args);
    }

    /**
     * {@code getattr(module, name)}: a parameter, buffer, submodule or any attribute (use this rather than
     * {@code value().getMember(name)}, which does not see what {@code nn.Module.__getattr__} provides).
     */
    public Value attr(String name) { return session.attr(module, name); }

    /** A submodule by attribute name, e.g. {@code submodule("fc1")}. */
    public PyModule submodule(String name) { return new PyModule(session, attr(name)); }

    /**
     * {@code named_parameters()} as name to engine tensor. The tensors <b>are</b> the parameters' storage: writing
     * to them (e.g. {@code Ops.binaryInPlace}) changes the module. A Python assignment {@code p.data = ...}
     * replaces a parameter's tensor, after which a map taken earlier is stale; {@link #parameterVariables()}
     * stays current.
     */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        for (Map.Entry<String, Variable> e : parameterVariables().entrySet()) r.put(e.getKey(), e.getValue().data);
        return r;
    }

    /** {@code named_parameters()} as name to the autograd variables themselves (grads in {@link Variable#grad()}). */
    public Map<String, Variable> parameterVariables() {
        return pairs(session.helpers().getMember("named_parameters").execute(module));
    }

    /** {@code state_dict()}: parameters and persistent buffers, sharing storage with the module (no copy). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        for (Map.Entry<String, Variable> e : pairs(session.helpers().getMember("state_dict").execute(module)).entrySet())
            r.put(e.getKey(), e.getValue().data);
        return r;
    }

    /** {@code load_state_dict(sd, strict=True)}: copies the values into the module's existing tensors. */
    public void loadStateDict(Map<String, Tensor> stateDict) { loadStateDict(stateDict, true); }

    /**
     * {@code load_state_dict(sd, strict)}; returns the missing and unexpected keys (both empty when strict, where a
     * mismatch raises).
     */
    public List<List<String>> loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
        List<String> names = new ArrayList<>(stateDict.keySet());
        Variable[] vs = new Variable[names.size()];
        for (int i = 0; i < vs.length; i++) vs[i] = new Variable(stateDict.get(names.get(i)));
        Value r = session.helpers().getMember("load_state_dict").execute(module, session.toPython(names), vs, strict);
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> l = new ArrayList<>();
            Value keys = r.getArrayElement(i);
            for (long j = 0; j < keys.getArraySize(); j++) l.add(keys.getArrayElement(j).asString());
            out.add(l);
        }
        return out;
    }

    /** {@code train()}. */
    public PyModule train() { return train(true); }

    /** {@code train(mode)}. */
    public PyModule train(boolean mode) {
        module.invokeMember("train", mode);
        return this;
    }

    /** {@code eval()}. */
    public PyModule eval() {
        module.invokeMember("eval");
        return this;
    }

    /** {@code module.training}. */
    public boolean isTraining() { return attr("training").asBoolean(); }

    /** {@code zero_grad()} (grads set to None). */
    public void zeroGrad() { module.invokeMember("zero_grad"); }

    @Override public String toString() { return module.toString(); }

    private static Map<String, Variable> pairs(Value list) {
        Map<String, Variable> r = new LinkedHashMap<>();
        for (long i = 0, n = list.getArraySize(); i < n; i++) {
            Value p = list.getArrayElement(i);
            r.put(p.getArrayElement(0).asString(), p.getArrayElement(1).asHostObject());
        }
        return r;
    }
}
