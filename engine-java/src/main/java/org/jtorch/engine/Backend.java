package org.jtorch.engine;

import java.util.ServiceLoader;

/**
 * The small kernel interface a device implements. {@link Ops} does shapes, dtypes and broadcasting and
 * calls these with operands already broadcast to the output shape and converted to the compute dtype.
 * Backends other than the CPU are found with {@link ServiceLoader} (e.g. the {@code cuda} module).
 */
public interface Backend {
    /** Device type this backend serves ("cpu", "cuda"). */
    String deviceType();

    void fill(Tensor out, double value);

    /** Copies src into dst (same shape; dtypes may differ). */
    void copy(Tensor src, Tensor dst);

    void unary(UnaryOp op, Tensor in, Tensor out, double p1, double p2);

    /** a, b: same shape and dtype as each other, out: the same shape. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** out = cond ? a : b, all of one shape; a, b, out of one dtype. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /** out has in's rank with size 1 on each reduced dim (keepdim shape). */
    void reduce(ReduceOp op, Tensor in, boolean[] reduced, Tensor out);

    /** Max/min along dim with indices (first occurrence; NaN propagates). Outputs have keepdim shape. */
    void argReduce(boolean max, Tensor in, int dim, Tensor values, Tensor indices);

    /** Batched matrix product: a [B,M,K] @ b [B,K,N] into out [B,M,N], one dtype. */
    void matmul(Tensor a, Tensor b, Tensor out);

    /**
     * One Adam/AdamW step on a parameter, in place (see {@link Ops#adamStep}); false when this backend has no fused
     * kernel for these tensors, and the caller then runs the step op by op.
     */
    default boolean adamStep(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                             float weightDecay, boolean decoupled, boolean maximize, float stepSize, float bc2Sqrt) {
        return false;
    }

    /**
     * layer_norm over the last dimension of x (contiguous, n = its size): y = (x - mean) * rstd * w + b per row,
     * with each row's mean and 1/sqrt(var + eps) written to mean and rstd (w, b of shape [n] or null). False when
     * this backend has no fused kernel for these tensors (the caller then composes it from other ops).
     */
    default boolean layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor y, Tensor mean, Tensor rstd) { return false; }

    /**
     * layer_norm's gradients from the forward's mean and rstd: gx (always), gw and gb (each may be null: not
     * wanted). False when there is no fused kernel.
     */
    default boolean layerNormBackward(Tensor g, Tensor x, Tensor mean, Tensor rstd, Tensor w, Tensor gx, Tensor gw, Tensor gb) {
        return false;
    }

    /** Exact (erf) GELU into y, or its gradient g * gelu'(x) into y when g is not null; false: no fused kernel. */
    default boolean gelu(Tensor x, Tensor g, Tensor y) { return false; }

    /** self += alpha * other in place, other of self's shape and dtype (add_ with alpha: an optimizer's update). */
    default void addScaled(Tensor self, Tensor other, double alpha) {
        Tensor t = Ops.emptyLike(other);
        binary(BinaryOp.MUL, other, Ops.scalarTensor(alpha, 2, other.device).expand(other.shapeRef()), t);
        binary(BinaryOp.ADD, self, t, self);
    }

    /** relu's gradient: out = g where y > 0, else 0 (g, y, out of one shape; y is relu's output). */
    default void reluBackward(Tensor g, Tensor y, Tensor out) {
        Tensor mask = Ops.to(Ops.binaryScalar(BinaryOp.GT, y, 0, 2, false), g.dtype);
        binary(BinaryOp.MUL, g, mask, out);
    }

    /** out += a @ b (addmm's fused form); out must not share storage with a or b. */
    default void matmulAdd(Tensor a, Tensor b, Tensor out) {
        Tensor t = Ops.emptyLike(out);
        matmul(a, b, t);
        binary(BinaryOp.ADD, out, t, out);
    }

    /** Inclusive scan along dim (sum, or product when prod). */
    void cumulative(Tensor in, int dim, boolean prod, Tensor out);

    /** softmax or log_softmax along dim. */
    void softmax(Tensor in, int dim, boolean log, Tensor out);

    /** Stable sort along dim. */
    void sort(Tensor in, int dim, boolean descending, Tensor values, Tensor indices);

    /** out[..i..] = in[..index[..i..]..] along dim (gather); index int64 with out's shape. */
    void gather(Tensor in, int dim, Tensor index, Tensor out);

    /** self[..index[..i..]..] = src[..i..] (or +=) along dim. */
    void scatter(Tensor self, int dim, Tensor index, Tensor src, boolean accumulate);

    /**
     * Advanced indexing: indices has one entry per dim of self (null for a full slice); the non-null ones are
     * int64 and broadcast to one shape. Reads into out when values is null, else writes (or accumulates) values.
     * Layout of out/values follows PyTorch's rule (see {@link Ops#index}).
     */
    void index(Tensor self, Tensor[] indices, Tensor out, Tensor values, boolean accumulate);

    /** im2col: x [N,C,H,W] into out [N, C*kh*kw, oh*ow] (zeros where the window covers padding). */
    void unfold2d(Tensor x, Window2d w, Tensor out);

    /** col2im: cols [N, C*kh*kw, oh*ow] summed into out [N,C,H,W] (out zeroed by the caller). */
    void fold2d(Tensor cols, Window2d w, Tensor out);

    /**
     * Pooling over x [N,C,H,W] into out [N,C,oh,ow]. max: indices (int64, flat h*W+w, may be null) get the
     * argmax; otherwise average, dividing by the window size counted with or without padding, or by divisor.
     */
    void pool2d(Tensor x, Window2d w, boolean max, boolean countIncludePad, int divisor, Tensor out, Tensor indices);

    /** Gradient of {@link #pool2d}: gradOut [N,C,oh,ow] into gradIn [N,C,H,W] (zeroed by the caller). */
    void pool2dBackward(Tensor gradOut, Window2d w, boolean max, boolean countIncludePad, int divisor, Tensor indices, Tensor gradIn);

    /** Adaptive average pooling x [N,C,H,W] into out [N,C,oh,ow]; backward when backward is true (in/out swapped roles). */
    void adaptiveAvgPool2d(Tensor x, Tensor out, boolean backward);

    /** Zeroed storage for n elements of dt on device (only non-CPU backends override this). */
    default Storage allocate(DType dt, int n, Device device) { return Storage.allocate(dt, n); }

    Tensor toCpu(Tensor t);

    Tensor fromCpu(Tensor t, Device device);

    static Backend of(Device d) {
        if (d == Device.CPU || d.type().equals("cpu")) return CpuBackend.INSTANCE;
        return Registry.find(d.type());
    }

    /** Looks up backends once. */
    final class Registry {
        private static volatile java.util.Map<String, Backend> found;

        private Registry() {}

        static Backend find(String type) {
            java.util.Map<String, Backend> m = found;
            if (m == null) {
                m = new java.util.HashMap<>();
                for (Backend b : ServiceLoader.load(Backend.class)) m.put(b.deviceType(), b);
                found = m;
            }
            Backend b = m.get(type);
            if (b == null) throw TorchException.runtime("No " + type + " backend is available (is the " + type + " module on the class path?)");
            return b;
        }
    }
}
