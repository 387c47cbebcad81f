package org.jtorch.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;

/**
 * One recorded operation: its backward function, the edges to its inputs and the tensors it saved (with
 * their storage versions, so an in-place change after the forward is detected).
 */
public final class Node {
    /** Computes the input gradients from the output gradients (one entry per input; null for none). */
    @FunctionalInterface
    public interface Backward { Tensor[] apply(Tensor[] gradOutputs); }

    private final String name;
    Backward fn;
    /** Inputs: for each, the variable (leaf or not) or null when it needs no gradient. */
    final Variable[] inputs;
    /** Each input's node at record time (null for leaves and constants); kept because in-place ops rebase variables. */
    final Node[] inputNodes;
    final int[] inputOutputNr;
    final Tensor[] saved;
    final int[] savedVersions;
    final int numOutputs;
    /** Tensor hooks registered on the outputs of this node (non-leaf tensors), by output index. */
    List<UnaryOperator<Variable>>[] outputHooks;
    /** Non-leaf variables that asked to retain their grad, by output index. */
    Variable[] retained;

    Node(String name, Backward fn, Variable[] inputs, Tensor[] saved, int numOutputs) {
        this.name = name;
        this.fn = fn;
        this.inputs = inputs;
        this.inputNodes = new Node[inputs.length];
        this.inputOutputNr = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Variable v = inputs[i];
            if (v != null && v.requiresGrad) {
                inputNodes[i] = v.gradFn;
                inputOutputNr[i] = v.outputNr;
            } else {
                inputs[i] = null;
            }
        }
        this.saved = saved;
        this.savedVersions = new int[saved == null ? 0 : saved.length];
        for (int i = 0; i < savedVersions.length; i++) savedVersions[i] = saved[i].storage.version;
        this.numOutputs = numOutputs;
    }

    public String name() { return name; }

    /** The nodes this one feeds gradients into (PyTorch's next_functions), null entries for leaves/constants. */
    public List<Node> nextFunctions() {
        List<Node> r = new ArrayList<>();
        for (Node n : inputNodes) r.add(n);
        return r;
    }

    void checkSaved() {
        if (fn == null)
            throw TorchException.runtime("Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). "
                + "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). "
                + "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.");
        for (int i = 0; i < savedVersions.length; i++) {
            if (saved[i].storage.version != savedVersions[i])
                throw TorchException.runtime("one of the variables needed for gradient computation has been modified by an inplace operation: [torch."
                    + org.jtorch.engine.Ops.typeName(saved[i].dtype) + "Tensor " + org.jtorch.engine.Shape.str(saved[i].shapeRef()) + "], which is output 0 of "
                    + name + ", is at version " + saved[i].storage.version + "; expected version " + savedVersions[i]
                    + " instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).");
        }
    }

    @SuppressWarnings("unchecked")
    void addHook(int output, UnaryOperator<Variable> hook) {
        if (outputHooks == null) outputHooks = new List[numOutputs];
        if (outputHooks[output] == null) outputHooks[output] = new ArrayList<>();
        outputHooks[output].add(hook);
    }

    /** Frees the closure after a backward pass, when it holds saved tensors (others may run again, as in PyTorch). */
    void release() {
        if (saved != null && saved.length > 0) fn = null;
    }

    @Override public String toString() { return "<" + name + ">"; }
}
