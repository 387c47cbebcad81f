package org.jtorch.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.Ops;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Storage;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;

/** Runs the backward pass: topological order over the recorded nodes, gradient accumulation into leaves. */
public final class Engine {
    private Engine() {}

    /** loss.backward(gradient, retain_graph): accumulates into the .grad of the leaves. */
    public static void backward(Variable[] roots, Variable[] grads, boolean retainGraph) {
        run(roots, grads, retainGraph, null, false);
    }

    /** torch.autograd.grad: returns the gradients of outputs with respect to inputs, leaving .grad alone. */
    public static Variable[] grad(Variable[] outputs, Variable[] gradOutputs, Variable[] inputs, boolean retainGraph, boolean allowUnused) {
        for (Variable v : inputs)
            if (!v.requiresGrad) throw TorchException.runtime("One of the differentiated Tensors does not require grad");
        Variable[] res = run(outputs, gradOutputs, retainGraph, inputs, allowUnused);
        return res;
    }

    private static Tensor seed(Variable root, Variable g) {
        if (g != null) {
            if (!g.data.sameShape(root.data))
                throw TorchException.runtime("Mismatch in shape: grad_output[0] has a shape of " + Shape.str(g.data.shapeRef())
                    + " and output[0] has a shape of " + Shape.str(root.data.shapeRef()) + ".");
            return g.data;
        }
        if (root.data.numel() != 1) throw TorchException.runtime("grad can be implicitly created only for scalar outputs");
        return Tensor.full(root.data.dtype, 1.0, root.data.shapeRef()).to(root.data.device);
    }

    private static Variable[] run(Variable[] roots, Variable[] grads, boolean retain, Variable[] captureInputs, boolean allowUnused) {
        for (Variable r : roots)
            if (!r.requiresGrad)
                throw TorchException.runtime("element 0 of tensors does not require grad and does not have a grad_fn");
        // capture targets
        IdentityHashMap<Variable, Integer> leafTargets = new IdentityHashMap<>();
        Map<Node, List<int[]>> nodeTargets = new IdentityHashMap<>();
        Tensor[] captured = captureInputs == null ? null : new Tensor[captureInputs.length];
        if (captureInputs != null) {
            for (int i = 0; i < captureInputs.length; i++) {
                Variable v = captureInputs[i];
                if (v.gradFn == null) leafTargets.put(v, i);
                else nodeTargets.computeIfAbsent(v.gradFn, k -> new ArrayList<>()).add(new int[] {v.outputNr, i});
            }
        }
        // dependency counts over the graph reachable from the roots
        Map<Node, Integer> deps = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        for (Variable r : roots) if (r.gradFn != null && !deps.containsKey(r.gradFn)) { deps.put(r.gradFn, 0); stack.push(r.gradFn); }
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            for (Node m : n.inputNodes) {
                if (m == null) continue;
                Integer c = deps.get(m);
                if (c == null) { deps.put(m, 1); stack.push(m); } else deps.put(m, c + 1);
            }
        }
        // Gradient buffers made during this pass and handed on exactly once may become a leaf's .grad without a
        // copy (PyTorch's AccumulateGrad steals a gradient nobody else holds); anything older, from the caller
        // or from a hook, or seen more than once, is copied.
        long passStart = Storage.nextSerial();
        IdentityHashMap<Storage, Integer> uses = new IdentityHashMap<>();
        Map<Node, Tensor[]> buffers = new HashMap<>();
        // gradients for leaves are summed over the whole pass, then delivered (hooks see the total, as in PyTorch)
        Map<Variable, Tensor> leafGrads = new java.util.LinkedHashMap<>();
        ArrayDeque<Node> ready = new ArrayDeque<>();
        for (int i = 0; i < roots.length; i++) {
            Variable r = roots[i];
            Tensor g = seed(r, grads == null ? null : grads[i]);
            if (r.gradFn == null) { leafGrads.merge(r, g, Engine::add); continue; }
            Tensor[] buf = buffers.computeIfAbsent(r.gradFn, k -> new Tensor[k.numOutputs]);
            buf[r.outputNr] = add(buf[r.outputNr], g);
        }
        for (Variable r : roots) if (r.gradFn != null && deps.get(r.gradFn) == 0 && !ready.contains(r.gradFn)) ready.add(r.gradFn);
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            Tensor[] gs = buffers.remove(n);
            if (gs == null) gs = new Tensor[n.numOutputs];
            for (int o = 0; o < gs.length; o++) {
                if (gs[o] == null) continue;
                if (n.outputHooks != null && n.outputHooks[o] != null) {
                    gs[o] = applyHooks(n.outputHooks[o], gs[o]);
                    uses.put(gs[o].storage, SHARED);
                }
                if (n.retained != null && n.retained[o] != null) {
                    Variable rv = n.retained[o];
                    rv.grad = rv.grad == null ? new Variable(gs[o].copy()) : new Variable(Ops.binary(BinaryOp.ADD, rv.grad.data, gs[o]));
                }
            }
            List<int[]> targets = nodeTargets.get(n);
            if (targets != null) for (int[] t : targets) captured[t[1]] = gs[t[0]];
            n.checkSaved();
            Tensor[] inGrads;
            boolean prev = GradMode.set(false);
            try {
                inGrads = n.fn.apply(gs);
            } finally {
                GradMode.set(prev);
            }
            if (!retain) n.release();
            for (Tensor t : inGrads) if (t != null) uses.merge(t.storage, 1, Integer::sum);
            for (int i = 0; i < n.inputs.length; i++) {
                Variable in = n.inputs[i];
                Node next = n.inputNodes[i];
                Tensor g = i < inGrads.length ? inGrads[i] : null;
                if (next != null) {
                    if (g != null) {
                        Tensor[] buf = buffers.computeIfAbsent(next, k -> new Tensor[k.numOutputs]);
                        int on = n.inputOutputNr[i];
                        buf[on] = add(buf[on], g);
                    }
                    int c = deps.get(next) - 1;
                    deps.put(next, c);
                    if (c == 0) ready.add(next);
                } else if (in != null && g != null) {
                    leafGrads.merge(in, g, Engine::add);
                }
            }
        }
        for (Map.Entry<Variable, Tensor> e : leafGrads.entrySet()) {
            Tensor g = e.getValue();
            boolean own = g.storage.serial >= passStart && uses.getOrDefault(g.storage, 0) <= 1;
            deliverLeaf(e.getKey(), g, leafTargets, captured, own);
        }
        if (captureInputs == null) return null;
        Variable[] out = new Variable[captured.length];
        for (int i = 0; i < captured.length; i++) {
            if (captured[i] == null) {
                if (!allowUnused)
                    throw TorchException.runtime("One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.");
                continue;
            }
            out[i] = new Variable(captured[i]);
        }
        return out;
    }

    private static final int SHARED = 1 << 20;

    /** own: g is a buffer of this pass that nothing else refers to, so it may become leaf.grad as it is. */
    private static void deliverLeaf(Variable leaf, Tensor g, IdentityHashMap<Variable, Integer> targets, Tensor[] captured, boolean own) {
        if (leaf.hooks != null) {
            g = applyHooks(leaf.hooks, g);
            own = false;
        }
        if (captured != null) {
            Integer i = targets.get(leaf);
            if (i != null) captured[i] = add(captured[i], g);
            return;
        }
        if (!leaf.requiresGrad) return;
        if (leaf.grad == null) {
            if (own && g.sameShape(leaf.data) && g.dtype == leaf.data.dtype && g.device.equals(leaf.data.device) && g.isContiguous()
                    && g.offset == 0 && g.storage.size() == g.numel()) {
                leaf.grad = new Variable(g);
                return;
            }
            Tensor c = g.sameShape(leaf.data) ? g.copy() : g.expand(leaf.data.shapeRef()).copy();
            leaf.grad = new Variable(c.dtype == leaf.data.dtype ? c : Ops.to(c, leaf.data.dtype));
        } else {
            Ops.binaryInPlace(BinaryOp.ADD, leaf.grad.data, g);
        }
    }

    private static Tensor applyHooks(List<UnaryOperator<Variable>> hooks, Tensor g) {
        for (UnaryOperator<Variable> h : new ArrayList<>(hooks)) {
            Variable r = h.apply(new Variable(g));
            if (r != null) g = r.data;
        }
        return g;
    }

    private static Tensor add(Tensor acc, Tensor g) {
        return acc == null ? g : Ops.binary(BinaryOp.ADD, acc, g);
    }
}
