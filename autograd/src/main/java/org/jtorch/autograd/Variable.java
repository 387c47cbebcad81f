package org.jtorch.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jtorch.engine.DType;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;

/**
 * A tensor as autograd sees it: the engine {@link Tensor} holding the values, plus whether it requires
 * grad, the node that made it ({@code gradFn}, null for leaves) and, for leaves, the accumulated grad.
 * Usable from Java directly; {@link Torch} has the operations.
 */
public final class Variable {
    /** The values. Replaced wholesale by {@code .data = ...}; mutated in place by in-place ops. */
    public Tensor data;
    Variable grad;
    boolean requiresGrad;
    Node gradFn;
    int outputNr;
    boolean retainsGrad;
    List<UnaryOperator<Variable>> hooks;
    /** For a view made by a differentiable view op: the tensor it views (the root of the chain). */
    Variable base;
    /** Free slot for a language binding to keep its wrapper object; autograd never reads it. */
    public Object owner;

    public Variable(Tensor data) { this.data = data; }

    public Variable(Tensor data, boolean requiresGrad) {
        this.data = data;
        setRequiresGrad(requiresGrad);
    }

    public Tensor data() { return data; }
    public DType dtype() { return data.dtype; }
    public int[] shape() { return data.shape(); }
    public int dim() { return data.dim(); }
    public boolean requiresGrad() { return requiresGrad; }
    public boolean isLeaf() { return gradFn == null; }
    public Node gradFn() { return gradFn; }
    /** The tensor this one is a view of, or null. */
    public Variable base() { return base; }
    public Variable grad() { return grad; }

    public void setGrad(Variable g) {
        if (g != null) {
            if (g.data.dtype != data.dtype)
                throw TorchException.type("assigned grad has data of a different type");
            if (!g.data.sameShape(data))
                throw TorchException.runtime("assigned grad has data of a different size");
        }
        grad = g;
    }

    public Variable setRequiresGrad(boolean r) {
        if (gradFn != null && !r)
            throw TorchException.runtime("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
        if (r && !data.dtype.isFloating())
            throw TorchException.runtime("only Tensors of floating point and complex dtype can require gradients");
        requiresGrad = r;
        return this;
    }

    /** Same values, no history. */
    public Variable detach() { return new Variable(data); }

    /** Detaches this variable from the graph in place. */
    public Variable detachInPlace() {
        gradFn = null;
        requiresGrad = false;
        return this;
    }

    public void retainGrad() {
        if (!requiresGrad) throw TorchException.runtime("can't retain_grad on Tensor that has requires_grad=False");
        if (gradFn != null && !retainsGrad) {
            retainsGrad = true;
            if (gradFn.retained == null) gradFn.retained = new Variable[gradFn.numOutputs];
            gradFn.retained[outputNr] = this;
        }
    }

    public boolean retainsGrad() { return retainsGrad; }

    /** Registers a hook called with this variable's gradient; it may return a replacement (or null). */
    public void registerHook(UnaryOperator<Variable> hook) {
        if (!requiresGrad) throw TorchException.runtime("cannot register a hook on a tensor that doesn't require gradient");
        if (gradFn != null) { gradFn.addHook(outputNr, hook); return; }
        if (hooks == null) hooks = new ArrayList<>();
        hooks.add(hook);
    }

    public void removeHook(UnaryOperator<Variable> hook) {
        if (hooks != null) hooks.remove(hook);
        if (gradFn != null && gradFn.outputHooks != null && gradFn.outputHooks[outputNr] != null) gradFn.outputHooks[outputNr].remove(hook);
    }

    /** Name of the node that made this variable, e.g. "MulBackward0", or null for a leaf. */
    public String gradFnName() { return gradFn == null ? null : gradFn.name(); }

    public void backward() { Engine.backward(new Variable[] {this}, null, false); }

    public void backward(Variable gradient, boolean retainGraph) {
        Engine.backward(new Variable[] {this}, gradient == null ? null : new Variable[] {gradient}, retainGraph);
    }

    @Override public String toString() { return "Variable(" + data + (requiresGrad ? ", requires_grad" : "") + ")"; }
}
