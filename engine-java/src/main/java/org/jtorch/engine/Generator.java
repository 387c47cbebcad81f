package org.jtorch.engine;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * PyTorch's CPU random number generator ({@code at::CPUGeneratorImpl}), bit for bit: the same mt19937
 * engine and seeding, the same {@code torch.get_rng_state()} bytes, and the same algorithms per
 * distribution, so that a seeded jtorch program draws exactly the numbers PyTorch 1.13 draws.
 *
 * <p>What each fill does (PyTorch 1.13, CPU, the build without MKL such as Debian's python3-torch):
 * <ul>
 * <li>Raw draws: {@link #random()} is one 32-bit mt19937 output; {@link #random64()} is two, the first
 *     one the high half.</li>
 * <li>{@link #uniform}: float32 takes one 32-bit draw per element, {@code (r & (2^24-1)) * 2^-24};
 *     float64 one 64-bit draw, {@code (r & (2^53-1)) * 2^-53}; then {@code x * (to - from) + from} in the
 *     tensor's precision (one fused multiply-add in the AVX2 build).</li>
 * <li>{@link #normal}: a contiguous tensor of 16 or more elements is filled in blocks of 16 (first all
 *     uniforms, then Box-Muller within each block of 16; a partial last block is redone on the last 16
 *     elements with 16 fresh uniforms). float32 uses the AVX2 kernel (Cephes-style vector log and
 *     sincos, emulated here lane by lane); float64 uses libm. Smaller or non-contiguous tensors draw
 *     element by element from {@code at::normal_distribution<double>} (two 64-bit uniforms per pair, the
 *     second sample cached in the generator, also for float32 tensors).</li>
 * <li>{@link #random(Tensor, long, long)} ({@code randint}, {@code random_(from, to)}): one 32-bit draw
 *     per element, or a 64-bit draw when {@code to - from >= 2^32} (int64, float32, float64 tensors);
 *     {@code from + r % (to - from)}.</li>
 * <li>{@link #bernoulli(Tensor, double)}: one 64-bit uniform per element, {@code u < p}. With a tensor
 *     of probabilities: float64 probabilities take a 64-bit uniform, other dtypes a 32-bit (float)
 *     one.</li>
 * <li>{@link #exponential}: one 64-bit uniform per element, {@code -1/lambda * log(1 - u)} in double.</li>
 * <li>{@link #randperm}: the shuffle {@code swap(r[i], r[i + random() % (n - i)])} for i = 0 .. n-2.</li>
 * <li>{@link #multinomial}: with replacement, one 64-bit uniform per sample and a binary search in the
 *     normalised cumulative sum; without replacement, {@code q = exponential_(1)} over the whole input
 *     (in its memory order) and the top {@code numSamples} of {@code probs / q}.</li>
 * </ul>
 * Elements are visited in PyTorch's TensorIterator order: memory order for dense tensors (so a
 * transposed view is filled along its storage), logical order for contiguous ones.
 *
 * <p>Bit-identity of float64 normals and of exponentials needs glibc's own {@code log}, {@code sin} and
 * {@code cos}; on Linux they are called through the foreign function API (the JVM needs
 * {@code --enable-native-access=ALL-UNNAMED} to do so quietly). Elsewhere, or with
 * {@code -Djtorch.rng.libm=java}, {@link Math} is used, which differs from glibc in the last bit for
 * one to two results in a thousand (float32 results are then still almost always identical). See
 * {@link #nativeLibm()}.
 *
 * <p>The CPU kernel variant that PyTorch picked ({@code ATEN_CPU_CAPABILITY}) changes float32 normals and
 * the rounding of {@code uniform} and {@code normal}; AVX2, the usual one, is the default here (see
 * {@link #setCpuCapability}).
 * All methods are synchronized on the generator.
 */
public final class Generator {
    /** The seed of a new {@code torch.Generator()} ({@code default_rng_seed_val}). */
    public static final long DEFAULT_RNG_SEED = 67280421310721L;
    /** Bytes of {@code torch.get_rng_state()}. */
    public static final int STATE_SIZE = 5056;
    /** Bytes of the older state layout that {@code set_rng_state} also accepts. */
    public static final int LEGACY_STATE_SIZE = 5048;

    /**
     * PyTorch's CPU kernel variants ({@code ATEN_CPU_CAPABILITY}). They differ in two ways that show in the
     * numbers: the AVX2 build fuses {@code a * b + c} into one rounding (uniform's scaling, normal's
     * {@code x * std + mean}), and its float32 normal fill uses vector (Cephes) log and sincos instead of
     * libm's logf/sinf/cosf.
     */
    public enum CpuCapability {
        /** Plain scalar kernels without fused multiply-add ({@code ATEN_CPU_CAPABILITY=default}). */
        DEFAULT,
        /**
         * AVX2 + FMA kernels: what PyTorch 1.13 uses on any x86-64 machine with AVX2. (Debian's 1.13 gives
         * the same numbers with {@code ATEN_CPU_CAPABILITY=avx512}, so that maps here too.)
         */
        AVX2;

        /** default, avx2 or avx512 (case-insensitive), as ATEN_CPU_CAPABILITY spells them. */
        public static CpuCapability parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "default" -> DEFAULT;
                case "avx2", "avx512" -> AVX2;
                default -> throw new IllegalArgumentException("unknown CPU capability " + s);
            };
        }
    }

    private static final int N = 624, M = 397;
    private static final int MATRIX_A = 0x9908b0df, UMASK = 0x80000000, LMASK = 0x7fffffff;
    private static final double TWO_PI = 2.0 * Math.PI;

    private static volatile CpuCapability capability = initialCapability();

    private static final class Holder {
        static final Generator DEFAULT = new Generator(nonDeterministicSeed());
    }

    // mt19937 state (at::mt19937_data_pod)
    private final int[] mt = new int[N];
    private long seed;
    private int left;
    private boolean seeded;
    private int next;
    // Box-Muller caches (CPUGeneratorImpl::next_{double,float}_normal_sample_)
    private boolean hasNextDoubleNormal;
    private double nextDoubleNormal;
    private boolean hasNextFloatNormal;
    private float nextFloatNormal;

    /** PyTorch's default CPU generator; like PyTorch's, it starts from a non-deterministic seed. */
    public static Generator getDefault() { return Holder.DEFAULT; }

    /** A generator seeded like {@code torch.Generator()}. */
    public Generator() { this(DEFAULT_RNG_SEED); }

    public Generator(long seed) { manualSeed(seed); }

    // ================================================================ seeding and state

    /** {@code torch.manual_seed(seed)}: the seed is an unsigned 64-bit number; mt19937 uses its low 32 bits. */
    public synchronized void manualSeed(long seed) {
        hasNextFloatNormal = false;
        hasNextDoubleNormal = false;
        this.seed = seed;
        seeded = true;
        mt[0] = (int) seed;
        for (int j = 1; j < N; j++) mt[j] = 1812433253 * (mt[j - 1] ^ (mt[j - 1] >>> 30)) + j;
        left = 1;
        next = 0;
    }

    /** {@code torch.initial_seed()} (an unsigned 64-bit value in a long). */
    public synchronized long initialSeed() { return seed; }

    /** {@code Generator.seed()}: reseeds from a non-deterministic source and returns the new seed. */
    public synchronized long seed() {
        long s = nonDeterministicSeed();
        manualSeed(s);
        return s;
    }

    /** {@code torch.get_rng_state()}: the 5056 bytes of PyTorch's {@code CPUGeneratorImplState}. */
    public synchronized byte[] getState() {
        ByteBuffer b = ByteBuffer.allocate(STATE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, seed);
        b.putInt(8, left);
        b.putInt(12, seeded ? 1 : 0);
        b.putLong(16, next & 0xffffffffL);
        for (int i = 0; i < N; i++) b.putLong(24 + 8 * i, mt[i] & 0xffffffffL);
        // 5016 normal_x (unused, 0), 5024 normal_y, 5032 normal_rho (unused, 0), 5040 normal_is_valid
        if (hasNextDoubleNormal) {
            b.putDouble(5024, nextDoubleNormal);
            b.putInt(5040, 1);
        }
        if (hasNextFloatNormal) {
            b.putFloat(5048, nextFloatNormal);
            b.put(5052, (byte) 1);
        }
        return b.array();
    }

    /** {@code torch.set_rng_state(state)}: accepts the current layout (5056 bytes) and the legacy one (5048). */
    public synchronized void setState(byte[] state) {
        if (state.length != STATE_SIZE && state.length != LEGACY_STATE_SIZE)
            throw TorchException.runtime("Expected either a CPUGeneratorImplStateLegacy of size " + LEGACY_STATE_SIZE
                + " or a CPUGeneratorImplState of size " + STATE_SIZE + " but found the input RNG state size to be " + state.length);
        ByteBuffer b = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        int newLeft = b.getInt(8);
        boolean newSeeded = b.getInt(12) != 0;
        long newNext = b.getLong(16) & 0xffffffffL;
        if (!(newSeeded && newLeft > 0 && newLeft <= N && newNext <= N)) throw TorchException.runtime("Invalid mt19937 state");
        boolean dValid = b.getInt(5040) != 0;
        double dSample = 0;
        boolean fValid = false;
        float fSample = 0;
        if (state.length == LEGACY_STATE_SIZE) {
            if (dValid) { // the legacy layout kept the uniforms: r * sin(2 pi x)
                double x = b.getDouble(5016), rho = b.getDouble(5032);
                dSample = rho * Libm.sin(TWO_PI * x);
            }
        } else {
            if (dValid) dSample = b.getDouble(5024);
            fValid = b.get(5052) != 0;
            if (fValid) fSample = b.getFloat(5048);
        }
        seed = b.getLong(0);
        left = newLeft;
        seeded = true;
        next = (int) newNext;
        for (int i = 0; i < N; i++) mt[i] = (int) b.getLong(24 + 8 * i);
        hasNextDoubleNormal = dValid;
        nextDoubleNormal = dSample;
        hasNextFloatNormal = fValid;
        nextFloatNormal = fSample;
    }

    /** An independent generator in the same state (PyTorch's {@code CPUGeneratorImpl::clone}). */
    public synchronized Generator copy() {
        Generator g = new Generator(0);
        g.setState(getState());
        return g;
    }

    // ================================================================ CPU kernel variant

    /** Which of PyTorch's CPU kernel variants to reproduce (AVX2 unless {@code -Djtorch.cpuCapability=...}). */
    public static void setCpuCapability(CpuCapability c) { capability = c; }

    public static CpuCapability cpuCapability() { return capability; }

    private static CpuCapability initialCapability() {
        String s = System.getProperty("jtorch.cpuCapability", System.getenv("ATEN_CPU_CAPABILITY"));
        try {
            return s == null || s.isBlank() ? CpuCapability.AVX2 : CpuCapability.parse(s);
        } catch (IllegalArgumentException e) {
            return CpuCapability.AVX2;
        }
    }

    /** Whether glibc's log/sin/cos are used (needed for bit-identical float64 normals and exponentials). */
    public static boolean nativeLibm() { return Libm.NATIVE; }

    // ================================================================ raw draws (mt19937)

    /** One 32-bit output of mt19937, as an unsigned value in a long ({@code CPUGeneratorImpl::random}). */
    public synchronized long random() { return next32() & 0xffffffffL; }

    /** Two 32-bit outputs, the first as the high half ({@code CPUGeneratorImpl::random64}). */
    public synchronized long random64() { return next64(); }

    private int next32() {
        if (--left == 0) nextState();
        int y = mt[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private long next64() {
        long hi = next32() & 0xffffffffL, lo = next32() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    private void nextState() {
        left = N;
        next = 0;
        int k = 0;
        for (; k < N - M; k++) mt[k] = mt[k + M] ^ twist(mt[k], mt[k + 1]);
        for (; k < N - 1; k++) mt[k] = mt[k + M - N] ^ twist(mt[k], mt[k + 1]);
        mt[N - 1] = mt[M - 1] ^ twist(mt[N - 1], mt[0]);
    }

    private static int twist(int u, int v) {
        int mix = (u & UMASK) | (v & LMASK);
        return (mix >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
    }

    // ================================================================ scalar distributions

    private static boolean fma() { return capability != CpuCapability.DEFAULT; }

    /** a * b + c the way the selected kernel build computes it (fused in the AVX2 / AVX-512 builds). */
    private static float madd(float a, float b, float c) { return fma() ? Math.fma(a, b, c) : a * b + c; }

    private static double madd(double a, double b, double c) { return fma() ? Math.fma(a, b, c) : a * b + c; }

    private float uniform01f() { return (next32() & 0xffffff) * 0x1p-24f; }

    private double uniform01d() { return (next64() & 0x1fffffffffffffL) * 0x1p-53; }

    /** {@code at::uniform_real_distribution<float>(from, to)}: one 32-bit draw. */
    public synchronized float uniformFloat(float from, float to) { return madd(uniform01f(), to - from, from); }

    /** {@code at::uniform_real_distribution<double>(from, to)}: one 64-bit draw. */
    public synchronized double uniformDouble(double from, double to) { return madd(uniform01d(), to - from, from); }

    /** {@code at::normal_distribution<double>(mean, std)}: Box-Muller with the second sample cached. */
    public synchronized double normalDouble(double mean, double std) {
        if (hasNextDoubleNormal) {
            hasNextDoubleNormal = false;
            return madd(nextDoubleNormal, std, mean);
        }
        double u1 = uniform01d();
        double u2 = uniform01d();
        double r = Math.sqrt(-2.0 * Libm.log(1.0 - u2));
        double theta = TWO_PI * u1;
        nextDoubleNormal = r * Libm.sin(theta);
        hasNextDoubleNormal = true;
        double ret = r * Libm.cos(theta);
        return madd(ret, std, mean);
    }

    /** {@code at::exponential_distribution<double>(lambda)}: one 64-bit uniform. */
    public synchronized double exponentialDouble(double lambda) {
        return -1.0 / lambda * Libm.log(1.0 - uniform01d());
    }

    /** {@code at::bernoulli_distribution<double>(p)}: one 64-bit uniform, {@code u < p}. */
    public synchronized boolean bernoulliDouble(double p) { return uniform01d() < p; }

    /** {@code at::bernoulli_distribution<float>(p)}: one 32-bit uniform, {@code u < p}. */
    public synchronized boolean bernoulliFloat(float p) { return uniform01f() < p; }

    /** {@code at::uniform_int_from_to_distribution}: {@code from + r % range}, r 64-bit when range >= 2^32 (and use64). */
    private long randomFromTo(long range, long base, boolean use64) {
        long r = use64 && Long.compareUnsigned(range, 1L << 32) >= 0 ? next64() : next32() & 0xffffffffL;
        return Long.remainderUnsigned(r, range) + base;
    }

    // ================================================================ tensor fills

    /** {@code t.uniform_(from, to)} (torch.rand: 0, 1). */
    public synchronized Tensor uniform(Tensor t, double from, double to) {
        requireFloating(t, "uniform_kernel_cpu");
        checkBounds(t.dtype, from, "from");
        checkBounds(t.dtype, to, "to");
        if (!(from <= to))
            throw TorchException.runtime("uniform_ expects to return a [from, to) range, but found from=" + num(from) + " > to=" + num(to));
        double lim = t.dtype == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        if (!(to - from <= lim))
            throw TorchException.runtime("uniform_ expects to-from <= std::numeric_limits<" + ctype(t.dtype) + ">::max(), but found to="
                + num(to) + " and from=" + num(from) + " which result in to-from to exceed the limit");
        if (t.numel() == 0) return t;
        int[] off = order(t, null)[0];
        if (t.dtype == DType.FLOAT32) {
            float[] a = ((Storage.F32) t.storage).a;
            float f = (float) from, d = (float) to - f;
            for (int o : off) a[o] = madd(uniform01f(), d, f);
        } else {
            double[] a = ((Storage.F64) t.storage).a;
            double d = to - from;
            for (int o : off) a[o] = madd(uniform01d(), d, from);
        }
        return bump(t);
    }

    /** {@code t.normal_(mean, std)} (torch.randn: 0, 1). */
    public synchronized Tensor normal(Tensor t, double mean, double std) {
        requireFloating(t, "normal_kernel_cpu");
        if (!(std >= 0.0)) throw TorchException.runtime("normal expects std >= 0.0, but found std " + num(std));
        int n = t.numel();
        if (n == 0) return t;
        if (n >= 16 && t.isContiguous()) {
            if (t.dtype == DType.FLOAT32) {
                float[] a = ((Storage.F32) t.storage).a;
                if (capability == CpuCapability.AVX2) normalFillAvx2(a, t.offset, n, (float) mean, (float) std);
                else normalFillFloat(a, t.offset, n, (float) mean, (float) std);
            } else {
                normalFillDouble(((Storage.F64) t.storage).a, t.offset, n, mean, std);
            }
        } else {
            int[] off = order(t, null)[0];
            for (int o : off) storeD(t.storage, o, normalDouble(mean, std));
        }
        return bump(t);
    }

    /**
     * {@code t.random_(from, to)} and {@code torch.randint(from, to, ...)}: integers in [from, to) for any
     * dtype (bool included).
     */
    public synchronized Tensor random(Tensor t, long from, long to) {
        if (from >= to)
            throw TorchException.runtime("random_ expects 'from' to be less than 'to', but got from=" + from + " >= to=" + to);
        if (t.numel() == 0) return t;
        long range = to - from;
        boolean use64 = t.dtype == DType.INT64 || t.dtype == DType.FLOAT32 || t.dtype == DType.FLOAT64;
        int[] off = order(t, null)[0];
        for (int o : off) storeL(t.storage, o, randomFromTo(range, from, use64));
        return bump(t);
    }

    /** Same as {@link #random(Tensor, long, long)}: {@code torch.randint(low, high, size)} fills with this. */
    public Tensor randint(Tensor t, long low, long high) { return random(t, low, high); }

    /**
     * {@code t.random_()} without bounds: [0, 2^mantissa] for floating dtypes, [0, max] for integers, a
     * fair bit for bool.
     */
    public synchronized Tensor random(Tensor t) {
        if (t.numel() == 0) return t;
        int[] off = order(t, null)[0];
        for (int o : off) {
            long v = switch (t.dtype) {
                case BOOL -> next32() & 1;
                case INT32 -> (next32() & 0xffffffffL) % (1L << 31);
                case INT64 -> next64() & Long.MAX_VALUE;
                case FLOAT32 -> (next32() & 0xffffffffL) % ((1L << 24) + 1);
                case FLOAT64 -> Long.remainderUnsigned(next64(), (1L << 53) + 1);
            };
            storeL(t.storage, o, v);
        }
        return bump(t);
    }

    /** {@code t.bernoulli_(p)} with a scalar p (what F.dropout draws its mask with: p = 1 - dropout p). */
    public synchronized Tensor bernoulli(Tensor t, double p) {
        if (!(0 <= p && p <= 1)) throw TorchException.runtime("bernoulli_ expects p to be in [0, 1], but got p=" + num(p));
        if (t.numel() == 0) return t;
        int[] off = order(t, null)[0];
        for (int o : off) storeL(t.storage, o, uniform01d() < p ? 1 : 0);
        return bump(t);
    }

    /**
     * {@code t.bernoulli_(probs)}: probs broadcast to t's shape. float64 probabilities draw 64-bit uniforms,
     * others 32-bit ones. {@code torch.bernoulli(probs)} is {@link #bernoulli(Tensor)}.
     */
    public synchronized Tensor bernoulli(Tensor t, Tensor probs) {
        if (t.numel() == 0) return t;
        Tensor p = probs.sameShape(t) ? probs : probs.expand(t.shapeRef());
        if (!p.dtype.isFloating()) throw TorchException.runtime("\"bernoulli_tensor_cpu_p_\" not implemented for '" + scalarName(p.dtype) + "'");
        int[][] o = order(t, p);
        int[] off = o[0], poff = o[1];
        if (p.dtype == DType.FLOAT64) {
            double[] pa = ((Storage.F64) p.storage).a;
            for (int i = 0; i < off.length; i++) {
                double pv = pa[poff[i]];
                checkP(pv);
                storeL(t.storage, off[i], uniform01d() < pv ? 1 : 0);
            }
        } else {
            float[] pa = ((Storage.F32) p.storage).a;
            for (int i = 0; i < off.length; i++) {
                float pv = pa[poff[i]];
                checkP(pv);
                storeL(t.storage, off[i], uniform01f() < pv ? 1 : 0);
            }
        }
        return bump(t);
    }

    /**
     * {@code torch.bernoulli(probs)}: a new contiguous tensor of probs' dtype ({@code empty_like} with the
     * legacy contiguous format), filled in row-major order.
     */
    public synchronized Tensor bernoulli(Tensor probs) {
        return bernoulli(Tensor.empty(probs.dtype, probs.shapeRef()), probs);
    }

    /** {@code t.exponential_(lambda)}. */
    public synchronized Tensor exponential(Tensor t, double lambda) {
        requireFloating(t, "exponential_cpu");
        if (!(lambda >= 0.0)) throw TorchException.runtime("exponential_ expects lambda >= 0.0, but found lambda=" + num(lambda));
        if (t.numel() == 0) return t;
        int[] off = order(t, null)[0];
        double c = -1.0 / lambda;
        for (int o : off) storeD(t.storage, o, c * Libm.log(1.0 - uniform01d()));
        return bump(t);
    }

    /** {@code torch.randperm(n, dtype=dt)}. */
    public synchronized Tensor randperm(int n, DType dt) {
        if (n < 0) throw TorchException.runtime("n must be non-negative, got" + n);
        if (dt == DType.BOOL && n > 2 || dt == DType.FLOAT32 && n > (1 << 24) + 1)
            throw TorchException.runtime("n cannot be greater than " + (dt == DType.BOOL ? 2 : (1 << 24) + 1) + " for " + dt.pyName + " dtype, got " + n);
        Tensor t = Tensor.empty(dt, n);
        if (t.storage instanceof Storage.I64 l) {
            long[] r = l.a;
            for (int i = 0; i < n; i++) r[i] = i;
            for (int i = 0; i < n - 1; i++) {
                int z = (int) ((next32() & 0xffffffffL) % (n - i));
                long sv = r[i];
                r[i] = r[z + i];
                r[z + i] = sv;
            }
        } else {
            int[] r = t.storage instanceof Storage.I32 l ? l.a : new int[n];
            for (int i = 0; i < n; i++) r[i] = i;
            for (int i = 0; i < n - 1; i++) {
                int z = (int) ((next32() & 0xffffffffL) % (n - i));
                int sv = r[i];
                r[i] = r[z + i];
                r[z + i] = sv;
            }
            if (!(t.storage instanceof Storage.I32)) for (int i = 0; i < n; i++) storeL(t.storage, i, r[i]);
        }
        return t;
    }

    /** {@code torch.randperm(n)} (int64). */
    public Tensor randperm(int n) { return randperm(n, DType.INT64); }

    /**
     * {@code torch.multinomial(probs, numSamples, replacement)} for a 1-D or 2-D float tensor; int64 result
     * of shape [numSamples] or [rows, numSamples].
     */
    public synchronized Tensor multinomial(Tensor probs, int numSamples, boolean replacement) {
        int dim = probs.dim();
        if (dim != 1 && dim != 2) throw TorchException.runtime("prob_dist must be 1 or 2 dim");
        if (!probs.dtype.isFloating())
            throw TorchException.runtime("multinomial only supports floating-point dtypes for input, got: " + scalarName(probs.dtype));
        if (numSamples <= 0) throw TorchException.runtime("cannot sample n_sample <= 0 samples");
        int nCat = probs.size(-1);
        if (!replacement && numSamples > nCat)
            throw TorchException.runtime("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
        if (nCat > (1 << 24)) throw TorchException.runtime("number of categories cannot exceed 2^24");
        int nDist = dim == 2 ? probs.size(0) : 1;
        Tensor result = dim == 1 ? Tensor.empty(DType.INT64, numSamples) : Tensor.empty(DType.INT64, nDist, numSamples);
        if (probs.numel() == 0) return result;
        long[] res = ((Storage.I64) result.storage).a;
        boolean f32 = probs.dtype == DType.FLOAT32;
        double[] p = probs.toDoubleArray(); // logical order; float32 values are exact in double

        if (!replacement) {
            double mx = Double.NEGATIVE_INFINITY, mn = Double.POSITIVE_INFINITY;
            boolean nan = false;
            for (double v : p) { if (Double.isNaN(v)) nan = true; mx = Math.max(mx, v); mn = Math.min(mn, v); }
            if (nan || !(mx < Double.POSITIVE_INFINITY) || !(mn >= 0))
                throw TorchException.runtime("probability tensor contains either `inf`, `nan` or element < 0");
            for (int i = 0; i < nDist; i++) {
                boolean allZero = true;
                for (int j = 0; j < nCat; j++) if (p[i * nCat + j] != 0) { allZero = false; break; }
                if (allZero) throw TorchException.runtime("invalid multinomial distribution (sum of probabilities <= 0)");
            }
            // q = empty_like(probs).exponential_(1), visited in probs' memory order; then q = probs / q
            int[] logical = logicalIndexOrder(probs);
            double[] q = new double[p.length];
            for (int li : logical) {
                double e = -1.0 / 1.0 * Libm.log(1.0 - uniform01d());
                q[li] = f32 ? (float) p[li] / (float) e : p[li] / e;
            }
            for (int i = 0; i < nDist; i++) {
                Integer[] idx = new Integer[nCat];
                for (int j = 0; j < nCat; j++) idx[j] = j;
                final int row = i * nCat;
                // descending by value, NaN first (as topk/argmax treat NaN as the largest); ties by index
                Arrays.sort(idx, (x, y) -> {
                    double a = q[row + x], b = q[row + y];
                    boolean an = Double.isNaN(a), bn = Double.isNaN(b);
                    if (an != bn) return an ? -1 : 1;
                    int c = an ? 0 : Double.compare(b, a);
                    return c != 0 ? c : Integer.compare(x, y);
                });
                for (int j = 0; j < numSamples; j++) res[i * numSamples + j] = idx[j];
            }
            return result;
        }

        for (int i = 0; i < nDist; i++) {
            double[] cum = new double[nCat];
            double sum = 0;
            for (int j = 0; j < nCat; j++) {
                double v = p[i * nCat + j];
                if (!(v >= 0)) throw TorchException.runtime("invalid multinomial distribution (encountering probability entry < 0)");
                if (!Double.isFinite(v))
                    throw TorchException.runtime("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
                sum = f32 ? (float) sum + (float) v : sum + v;
                cum[j] = sum;
            }
            if (!(sum > 0)) throw TorchException.runtime("invalid multinomial distribution (sum of probabilities <= 0)");
            for (int j = 0; j < nCat; j++) cum[j] = f32 ? (float) cum[j] / (float) sum : cum[j] / sum;
            cum[nCat - 1] = 1;
            for (int j = 0; j < numSamples; j++) {
                double u = uniform01d();
                int lo = 0, hi = nCat;
                while (hi - lo > 0) {
                    int mid = lo + (hi - lo) / 2;
                    if (cum[mid] < u) lo = mid + 1;
                    else hi = mid;
                }
                res[i * numSamples + j] = lo;
            }
        }
        return result;
    }

    // ================================================================ normal fills for >= 16 contiguous elements

    /** normal_fill<double>: all uniforms first, then Box-Muller per block of 16 (j with j + 8). */
    private void normalFillDouble(double[] a, int base, int n, double mean, double std) {
        for (int i = 0; i < n; i++) a[base + i] = uniform01d();
        for (int i = 0; i < n - 15; i += 16) fill16(a, base + i, mean, std);
        if (n % 16 != 0) {
            int b = base + n - 16;
            for (int i = 0; i < 16; i++) a[b + i] = uniform01d();
            fill16(a, b, mean, std);
        }
    }

    private static void fill16(double[] a, int b, double mean, double std) {
        for (int j = 0; j < 8; j++) {
            double u1 = 1 - a[b + j], u2 = a[b + j + 8];
            double radius = Math.sqrt(-2 * Libm.log(u1));
            double theta = TWO_PI * u2;
            a[b + j] = madd(radius * Libm.cos(theta), std, mean);
            a[b + j + 8] = madd(radius * Libm.sin(theta), std, mean);
        }
    }

    /** normal_fill<float>: the scalar kernel of the DEFAULT build (theta rounded to float, libm's logf/cosf/sinf). */
    private void normalFillFloat(float[] a, int base, int n, float mean, float std) {
        for (int i = 0; i < n; i++) a[base + i] = uniform01f();
        for (int i = 0; i < n - 15; i += 16) fill16(a, base + i, mean, std);
        if (n % 16 != 0) {
            int b = base + n - 16;
            for (int i = 0; i < 16; i++) a[b + i] = uniform01f();
            fill16(a, b, mean, std);
        }
    }

    private static void fill16(float[] a, int b, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1 - a[b + j], u2 = a[b + j + 8];
            float radius = (float) Math.sqrt(-2 * Libm.logf(u1));
            float theta = (float) (TWO_PI * u2);
            a[b + j] = madd(radius * Libm.cosf(theta), std, mean);
            a[b + j + 8] = madd(radius * Libm.sinf(theta), std, mean);
        }
    }

    /** normal_fill_AVX2: the float32 kernel of the AVX2 build, lane by lane. */
    private void normalFillAvx2(float[] a, int base, int n, float mean, float std) {
        for (int i = 0; i < n; i++) a[base + i] = uniform01f();
        for (int i = 0; i < n - 15; i += 16) fill16Avx2(a, base + i, mean, std);
        if (n % 16 != 0) {
            int b = base + n - 16;
            for (int i = 0; i < 16; i++) a[b + i] = uniform01f();
            fill16Avx2(a, b, mean, std);
        }
    }

    private static final float AVX_TWO_PI = (float) TWO_PI;

    private static void fill16Avx2(float[] a, int b, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1.0f - a[b + j], u2 = a[b + j + 8];
            float radius = (float) Math.sqrt(-2.0f * Avx.log(u1));
            float theta = AVX_TWO_PI * u2;
            long sc = Avx.sincos(theta);
            float sin = Float.intBitsToFloat((int) (sc >>> 32)), cos = Float.intBitsToFloat((int) sc);
            a[b + j] = Math.fma(radius * cos, std, mean);
            a[b + j + 8] = Math.fma(radius * sin, std, mean);
        }
    }

    /**
     * One lane of avx_mathfun.h's log256_ps and sincos256_ps (Cephes polynomials), with the fused
     * multiply-adds that GCC forms from them in PyTorch's AVX2 build.
     */
    static final class Avx {
        private Avx() {}

        private static final float SQRTHF = 0.707106781186547524f;
        private static final float LOG_P0 = 7.0376836292E-2f, LOG_P1 = -1.1514610310E-1f, LOG_P2 = 1.1676998740E-1f,
            LOG_P3 = -1.2420140846E-1f, LOG_P4 = +1.4249322787E-1f, LOG_P5 = -1.6668057665E-1f, LOG_P6 = +2.0000714765E-1f,
            LOG_P7 = -2.4999993993E-1f, LOG_P8 = +3.3333331174E-1f, LOG_Q1 = -2.12194440e-4f, LOG_Q2 = 0.693359375f;
        private static final float MIN_NORM_POS = Float.intBitsToFloat(0x00800000);

        static float log(float x0) {
            boolean invalid = x0 <= 0;
            float x = maxps(x0, MIN_NORM_POS);
            int imm0 = Float.floatToRawIntBits(x) >>> 23;
            x = Float.intBitsToFloat((Float.floatToRawIntBits(x) & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
            imm0 = imm0 - 0x7f;
            float e = (float) imm0;
            e = e + 1.0f;
            boolean mask = x < SQRTHF;
            float tmp = mask ? x : 0.0f;
            x = x - 1.0f;
            e = e - (mask ? 1.0f : 0.0f);
            x = x + tmp;
            float z = x * x;
            float y = LOG_P0;
            y = Math.fma(y, x, LOG_P1);
            y = Math.fma(y, x, LOG_P2);
            y = Math.fma(y, x, LOG_P3);
            y = Math.fma(y, x, LOG_P4);
            y = Math.fma(y, x, LOG_P5);
            y = Math.fma(y, x, LOG_P6);
            y = Math.fma(y, x, LOG_P7);
            y = Math.fma(y, x, LOG_P8);
            y = y * x;
            y = Math.fma(y, z, e * LOG_Q1); // GCC fused y * z here, not e * q1
            y = y - z * 0.5f;
            x = x + y;
            x = Math.fma(e, LOG_Q2, x);
            return invalid ? Float.intBitsToFloat(Float.floatToRawIntBits(x) | 0xffffffff) : x;
        }

        /** _mm256_max_ps(a, b): a > b ? a : b (b when either is NaN). */
        private static float maxps(float a, float b) { return a > b ? a : b; }

        private static final float DP1 = -0.78515625f, DP2 = -2.4187564849853515625e-4f, DP3 = -3.77489497744594108e-8f;
        private static final float SINCOF_P0 = -1.9515295891E-4f, SINCOF_P1 = 8.3321608736E-3f, SINCOF_P2 = -1.6666654611E-1f;
        private static final float COSCOF_P0 = 2.443315711809948E-005f, COSCOF_P1 = -1.388731625493765E-003f,
            COSCOF_P2 = 4.166664568298827E-002f;
        private static final float FOPI = 1.27323954473516f;

        /** sin in the high 32 bits, cos in the low 32 bits. */
        static long sincos(float x0) {
            int signSin = Float.floatToRawIntBits(x0) & 0x80000000;
            float x = Float.intBitsToFloat(Float.floatToRawIntBits(x0) & 0x7fffffff);
            float y = x * FOPI;
            int imm2 = cvtt(y);
            imm2 = (imm2 + 1) & ~1;
            y = (float) imm2;
            int imm4 = imm2;
            int swapSignSin = (imm2 & 4) << 29;
            boolean polyMask = (imm2 & 2) == 0;
            x = Math.fma(y, DP1, x);
            x = Math.fma(y, DP2, x);
            x = Math.fma(y, DP3, x);
            imm4 = imm4 - 2;
            imm4 = ~imm4 & 4;
            int signCos = imm4 << 29;
            signSin ^= swapSignSin;
            float z = x * x;
            float yc = COSCOF_P0;
            yc = Math.fma(yc, z, COSCOF_P1);
            yc = Math.fma(yc, z, COSCOF_P2);
            yc = yc * z;
            yc = Math.fma(yc, z, -(z * 0.5f));
            yc = yc + 1.0f;
            float y2 = SINCOF_P0;
            y2 = Math.fma(y2, z, SINCOF_P1);
            y2 = Math.fma(y2, z, SINCOF_P2);
            y2 = y2 * z;
            y2 = Math.fma(y2, x, x);
            float ysin2 = polyMask ? y2 : 0.0f;
            float ysin1 = polyMask ? 0.0f : yc;
            y2 = y2 - ysin2;
            yc = yc - ysin1;
            float s = ysin1 + ysin2, c = yc + y2;
            int sb = Float.floatToRawIntBits(s) ^ signSin, cb = Float.floatToRawIntBits(c) ^ signCos;
            return ((long) sb << 32) | (cb & 0xffffffffL);
        }

        /** _mm256_cvttps_epi32: truncation, 0x80000000 when out of range or NaN. */
        private static int cvtt(float v) {
            if (Float.isNaN(v) || v >= 2147483648f || v < -2147483648f) return Integer.MIN_VALUE;
            return (int) v;
        }
    }

    // ================================================================ libm

    /** glibc's log/sin/cos (and float versions) through the foreign function API, or {@link Math} when unavailable. */
    static final class Libm {
        private Libm() {}

        static final boolean NATIVE;
        private static final MethodHandle LOG, SIN, COS, LOGF, SINF, COSF;

        static {
            MethodHandle[] h = load();
            NATIVE = h != null;
            LOG = NATIVE ? h[0] : null;
            SIN = NATIVE ? h[1] : null;
            COS = NATIVE ? h[2] : null;
            LOGF = NATIVE ? h[3] : null;
            SINF = NATIVE ? h[4] : null;
            COSF = NATIVE ? h[5] : null;
        }

        @SuppressWarnings("restricted")
        private static MethodHandle[] load() {
            if (System.getProperty("jtorch.rng.libm", "native").equals("java")) return null;
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) return null;
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup look = linker.defaultLookup();
                FunctionDescriptor dd = FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_DOUBLE);
                FunctionDescriptor ff = FunctionDescriptor.of(ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_FLOAT);
                String[] names = {"log", "sin", "cos", "logf", "sinf", "cosf"};
                MethodHandle[] h = new MethodHandle[names.length];
                for (int i = 0; i < names.length; i++) {
                    Optional<MemorySegment> sym = look.find(names[i]);
                    if (sym.isEmpty()) return null;
                    h[i] = linker.downcallHandle(sym.get(), i < 3 ? dd : ff, Linker.Option.critical(false));
                }
                return (double) h[0].invokeExact(1.0) == 0.0 ? h : null;
            } catch (Throwable e) { // no native access (e.g. --enable-native-access not given under a deny policy)
                return null;
            }
        }

        static double log(double x) {
            if (!NATIVE) return Math.log(x);
            try { return (double) LOG.invokeExact(x); } catch (Throwable t) { throw new IllegalStateException(t); }
        }

        static double sin(double x) {
            if (!NATIVE) return Math.sin(x);
            try { return (double) SIN.invokeExact(x); } catch (Throwable t) { throw new IllegalStateException(t); }
        }

        static double cos(double x) {
            if (!NATIVE) return Math.cos(x);
            try { return (double) COS.invokeExact(x); } catch (Throwable t) { throw new IllegalStateException(t); }
        }

        static float logf(float x) {
            if (!NATIVE) return (float) Math.log(x);
            try { return (float) LOGF.invokeExact(x); } catch (Throwable t) { throw new IllegalStateException(t); }
        }

        static float sinf(float x) {
            if (!NATIVE) return (float) Math.sin(x);
            try { return (float) SINF.invokeExact(x); } catch (Throwable t) { throw new IllegalStateException(t); }
        }

        static float cosf(float x) {
            if (!NATIVE) return (float) Math.cos(x);
            try { return (float) COSF.invokeExact(x); } catch (Throwable t) { throw new IllegalStateException(t); }
        }
    }

    // ================================================================ element order (TensorIterator)

    /**
     * Storage offsets of out's elements (and of in's, in the same positions; in has out's shape) in the
     * order PyTorch's TensorIterator visits them.
     */
    static int[][] order(Tensor out, Tensor in) {
        int[] shape = out.shapeRef();
        int[] perm = perm(shape, out.stridesRef(), in == null ? null : in.stridesRef());
        return new int[][] {offsets(shape, perm, out.stridesRef(), out.offset),
            in == null ? null : offsets(shape, perm, in.stridesRef(), in.offset)};
    }

    /**
     * TensorIteratorBase::reorder_dimensions: the dimensions sorted by the operands' strides (the output's
     * first), smallest stride first; perm[0] is the fastest-moving dimension.
     */
    static int[] perm(int[] shape, int[] os, int[] is) {
        int nd = shape.length;
        int[] perm = new int[nd];
        for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
        for (int i = 1; i < nd; i++) {
            int dim1 = i;
            for (int dim0 = i - 1; dim0 >= 0; dim0--) {
                int c = shouldSwap(shape, os, is, perm[dim0], perm[dim1]);
                if (c > 0) {
                    int t = perm[dim0];
                    perm[dim0] = perm[dim1];
                    perm[dim1] = t;
                    dim1 = dim0;
                } else if (c < 0) {
                    break;
                }
            }
        }
        return perm;
    }

    private static int shouldSwap(int[] shape, int[] os, int[] is, int d0, int d1) {
        for (int k = 0; k < 2; k++) {
            int[] st = k == 0 ? os : is;
            if (st == null) continue;
            int s0 = st[d0], s1 = st[d1];
            if (s0 == 0 || s1 == 0) continue;
            if (s0 < s1) return -1;
            if (s0 > s1) return 1;
            if (shape[d0] > shape[d1]) return 1;
        }
        return 0;
    }

    /** The offsets base + sum(idx * strides) with the index odometer running over perm (perm[0] fastest). */
    private static int[] offsets(int[] shape, int[] perm, int[] strides, int base) {
        int nd = shape.length, n = Shape.numel(shape);
        int[] res = new int[n], idx = new int[nd];
        int o = base;
        for (int k = 0; k < n; k++) {
            res[k] = o;
            for (int j = 0; j < nd; j++) {
                int d = perm[j];
                if (++idx[d] < shape[d]) {
                    o += strides[d];
                    break;
                }
                idx[d] = 0;
                o -= strides[d] * (shape[d] - 1);
            }
        }
        return res;
    }

    /** Row-major logical indices of t's elements in the order TensorIterator visits them. */
    static int[] logicalIndexOrder(Tensor t) {
        int[] shape = t.shapeRef();
        return offsets(shape, perm(shape, t.stridesRef(), null), Shape.contiguousStrides(shape), 0);
    }

    /**
     * {@code torch.empty_like(t)}: a new dense tensor whose dimensions are laid out in the order of t's
     * strides (t's own strides when t is dense).
     */
    static Tensor emptyLike(Tensor t, DType dt) {
        int[] shape = t.shapeRef();
        int[] perm = perm(shape, t.stridesRef(), null);
        int[] ns = new int[shape.length];
        int s = 1;
        for (int d : perm) {
            ns[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return new Tensor(Storage.allocate(dt, t.numel()), shape.clone(), ns, 0);
    }

    // ================================================================ helpers

    private static void storeD(Storage s, int o, double v) {
        switch (s) {
            case Storage.F32 f -> f.a[o] = (float) v;
            case Storage.F64 f -> f.a[o] = v;
            default -> s.setD(o, v);
        }
    }

    private static void storeL(Storage s, int o, long v) {
        switch (s) {
            case Storage.I64 l -> l.a[o] = v;
            case Storage.F32 f -> f.a[o] = (float) v;
            case Storage.F64 f -> f.a[o] = (double) v;
            case Storage.I32 l -> l.a[o] = (int) v;
            case Storage.Bool b -> b.a[o] = v != 0;
            default -> s.setL(o, v);
        }
    }

    /** bernoulli_distribution's check, made per element just before its draw (as PyTorch does). */
    private static void checkP(double p) {
        if (!(p >= 0 && p <= 1)) throw TorchException.runtime("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
            + "(Could this error message be improved?  If so, please report an enhancement request to PyTorch.)");
    }

    private static Tensor bump(Tensor t) {
        t.storage.version++;
        return t;
    }

    private static void requireFloating(Tensor t, String kernel) {
        if (!t.dtype.isFloating()) throw TorchException.runtime("\"" + kernel + "\" not implemented for '" + scalarName(t.dtype) + "'");
    }

    private static void checkBounds(DType dt, double v, String name) {
        double lim = dt == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        if (v < -lim || v > lim)
            throw TorchException.runtime(name + " is out of bounds for " + scalarName(dt));
    }

    static String scalarName(DType dt) {
        return switch (dt) {
            case BOOL -> "Bool";
            case INT32 -> "Int";
            case INT64 -> "Long";
            case FLOAT32 -> "Float";
            case FLOAT64 -> "Double";
        };
    }

    private static String ctype(DType dt) { return dt == DType.FLOAT32 ? "float" : "double"; }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static long nonDeterministicSeed() { return new SecureRandom().nextLong(); }
}
