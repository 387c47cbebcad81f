package org.jtorch.bridge;

import org.graalvm.polyglot.Value;

/**
 * A Python {@code torch.optim} optimizer seen from Java ({@link Session#optimizer(String, PyModule, java.util.Map)}).
 * It updates the parameters in place, so Java views of them ({@link PyModule#parameters()}) see each step.
 */
public final class PyOptimizer {
    private final Session session;
    private final Value optimizer;

    PyOptimizer(Session session, Value optimizer) {
        this.session = session;
        this.optimizer = optimizer;
    }

    public Value value() { return optimizer; }

    public Session session() { return session; }

    /** {@code optimizer.step()}: uses the grads accumulated by {@code backward()}. */
    public void step() { optimizer.invokeMember("step"); }

    /** {@code optimizer.zero_grad()} (grads set to None, PyTorch's default). */
    public void zeroGrad() { optimizer.invokeMember("zero_grad"); }

    /** The learning rate of the first parameter group. */
    public double learningRate() { return session.helpers().getMember("get_lr").execute(optimizer).asDouble(); }

    /** Sets the learning rate of every parameter group. */
    public void setLearningRate(double lr) { session.helpers().getMember("set_lr").execute(optimizer, lr); }

    /** {@code optimizer.state_dict()} converted by {@link Session#toJava} (tensors as variables). */
    public Object stateDict() { return session.call(optimizer.getMember("state_dict")); }

    @Override public String toString() { return optimizer.toString(); }
}
