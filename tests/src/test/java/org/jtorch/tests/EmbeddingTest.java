package org.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.jtorch.autograd.GradMode;
import org.jtorch.autograd.Torch;
import org.jtorch.autograd.Variable;
import org.jtorch.bridge.JTorch;
import org.jtorch.bridge.PyModule;
import org.jtorch.bridge.PyOptimizer;
import org.jtorch.bridge.Session;
import org.jtorch.bridge.ShimResources;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.DType;
import org.jtorch.engine.Ops;
import org.jtorch.engine.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding API with one shared session (GraalPy start-up takes seconds): modules from a folder and from
 * source text, calls with Java tensors, zero copy both ways, parameters and state dicts, training from Java
 * with a Python optimizer and with a Java loop.
 */
class EmbeddingTest {
    @TempDir static Path dir;
    static Session s;

    @BeforeAll static void start() {
        TestModels.writeTo(dir);
        // no shim path: the torch package packaged in the torch-py-shim jar is extracted to jtorch.cache.dir
        s = JTorch.session().addPythonPath(dir).build();
    }

    @AfterAll static void stop() {
        if (s != null) s.close();
    }

    @Test void packagedShimIsExtractedToTheCache() {
        Path shim = s.shimPath();
        assertTrue(Files.isRegularFile(shim.resolve("torch/__init__.py")), shim.toString());
        assertTrue(Files.isRegularFile(shim.resolve("_jtorch_embed.py")));
        if (System.getProperty("jtorch.python.path") == null) {
            assertTrue(shim.startsWith(ShimResources.cacheRoot()), shim + " under " + ShimResources.cacheRoot());
            assertEquals(shim, ShimResources.extract(ShimResources.cacheRoot()), "extracted once, reused");
        }
        assertEquals(shim.toString(), s.eval("import torch, os\nos.path.dirname(os.path.dirname(torch.__file__))").asString());
    }

    @Test void moduleFromFolderCalledWithJavaTensors() {
        PyModule net = s.newModule("tiny_models", "MLP", 4, 8, 1);
        assertEquals(4, net.parameters().size());
        Tensor x = JTorch.tensor(TestModels.inputs(5, 1), 5, 4);
        Tensor y = net.call(x);
        assertArrayEquals(new int[] {5, 1}, y.shape());
        // the same computation written in Java over the module's parameters
        Map<String, Variable> p = net.parameterVariables();
        Tensor ref;
        boolean prev = GradMode.set(false);
        try {
            Variable h = Torch.unary(org.jtorch.engine.UnaryOp.TANH,
                Torch.addmm(p.get("fc1.bias"), new Variable(x), Torch.t(p.get("fc1.weight")), 1, 1), 0, 0);
            ref = Torch.addmm(p.get("fc2.bias"), h, Torch.t(p.get("fc2.weight")), 1, 1).data;
        } finally {
            GradMode.set(prev);
        }
        assertTrue(Ops.allclose(y, ref, 1e-5, 1e-6, false));
        assertNull(net.forward(new Variable(x)).grad(), "forward result is not a leaf with grad");
        assertTrue(net.forward(new Variable(x)).requiresGrad(), "forward records the graph");
        assertFalse(new Variable(net.call(x)).requiresGrad());
    }

    @Test void moduleFromSourceText() {
        s.importSource("from_text", """
            import torch
            class AddOne(torch.nn.Module):
                def forward(self, x):
                    return x + 1
            def twice(x):
                return 2 * x
            """);
        PyModule m = s.newModule("from_text", "AddOne");
        float[] a = {1, 2, 3};
        assertArrayEquals(new float[] {2, 3, 4}, m.call(JTorch.tensor(a)).toFloatArray());
        Object r = s.call("from_text.twice", JTorch.tensor(a));
        assertArrayEquals(new float[] {2, 4, 6}, ((Variable) r).data.toFloatArray());
        assertEquals(3L, s.call("len", List.of(1, 2, 3)));
    }

    @Test void pathsAddedLaterAndFiles() throws Exception {
        Path more = Files.createDirectories(dir.resolve("more"));
        Files.writeString(more.resolve("later_mod.py"), "VALUE = 41\n");
        s.addPythonPath(more);
        assertEquals(41, s.importModule("later_mod").getMember("VALUE").asInt());
        Path file = Files.writeString(dir.resolve("loose.py"), "def f(x):\n    return x.sum()\n");
        s.importFile("loose_module", file);
        assertEquals(6.0, ((Variable) s.call("loose_module.f", JTorch.tensor(new float[] {1, 2, 3}))).data.item());
    }

    @Test void zeroCopyJavaToPython() {
        PyModule scaler = s.newModule("tiny_models", "Scaler");
        float[] a = {1, 2, 3};
        Tensor t = JTorch.tensor(a);
        scaler.call(t);                                    // x.mul_(2) in Python, on the Java array
        assertArrayEquals(new float[] {2, 4, 6}, a);
        Value py = s.tensor(t);                            // Java writes, Python reads
        a[0] = 42;
        assertEquals(42.0, py.invokeMember("__getitem__", 0).invokeMember("item").asDouble());
        assertSame(t.storage, s.toTensor(py).storage);
    }

    @Test void zeroCopyPythonToJava() {
        PyModule scaler = s.newModule("tiny_models", "Scaler");
        Tensor state = scaler.call(JTorch.tensor(new float[3]));   // the module's own buffer, not a copy
        Value pyState = scaler.attr("state");
        assertSame(state.storage, s.toTensor(pyState).storage);
        float[] arr = (float[]) state.storage.array();
        arr[state.offset + 1] = 5;                                  // Java writes, Python reads
        assertEquals(List.of(0.0, 5.0, 0.0), s.toJava(pyState.invokeMember("tolist")));
        pyState.invokeMember("fill_", 7);                           // Python writes, Java reads
        assertArrayEquals(new float[] {7, 7, 7}, state.toFloatArray());
        assertEquals(7f, arr[state.offset]);
        // parameters and the state dict are the module's storage too
        PyModule net = s.newModule("tiny_models", "MLP");
        Tensor w = net.parameters().get("fc1.weight");
        assertSame(w.storage, net.stateDict().get("fc1.weight").storage);
        w.fill(0.5);
        assertEquals(0.5, s.eval("lambda m: m.fc1.weight[3, 2].item()").execute(net.value()).asDouble());
    }

    @Test void buffersAndSegments() {
        float[] backing = {0, 0, 1, 2, 3, 4, 0};
        FloatBuffer fb = FloatBuffer.wrap(backing, 2, 4);           // heap buffer: shared from its position
        Tensor t = JTorch.tensor(fb, 2, 2);
        assertTrue(JTorch.isShared(t, fb));
        s.tensor(t).invokeMember("add_", 10);
        assertArrayEquals(new float[] {0, 0, 11, 12, 13, 14, 0}, backing);

        FloatBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer().put(new float[] {1, 2, 3, 4}).flip();
        Tensor td = JTorch.tensor(direct);                           // direct: copied
        assertFalse(JTorch.isShared(td, direct));
        assertArrayEquals(new float[] {1, 2, 3, 4}, td.toFloatArray());
        assertFalse(JTorch.isShared(JTorch.tensor(FloatBuffer.wrap(backing).asReadOnlyBuffer()), backing));
        double[] db = {1, 2};
        assertTrue(JTorch.isShared(JTorch.tensor(DoubleBuffer.wrap(db)), db));

        float[] arr = {1, 2, 3, 4, 5, 6};
        MemorySegment heap = MemorySegment.ofArray(arr).asSlice(8);  // heap segment at element 2: shared
        Tensor ts = JTorch.tensor(heap, DType.FLOAT32, 2, 2);
        assertTrue(JTorch.isShared(ts, arr));
        s.tensor(ts).invokeMember("mul_", -1);
        assertArrayEquals(new float[] {1, 2, -3, -4, -5, -6}, arr);
        assertSame(arr, JTorch.asSegment(ts).heapBase().orElseThrow());
        assertEquals(-3f, JTorch.asSegment(ts).get(ValueLayout.JAVA_FLOAT, 0));

        try (Arena arena = Arena.ofConfined()) {                     // off-heap: copied in, copied back out
            MemorySegment off = arena.allocate(4 * 4, 4);
            for (int i = 0; i < 4; i++) off.setAtIndex(ValueLayout.JAVA_FLOAT, i, i + 1);
            Tensor to = JTorch.tensor(off, DType.FLOAT32, 4);
            assertFalse(JTorch.isShared(to, off));
            Tensor doubled = ((Variable) s.call(s.eval("lambda x: x * 2"), to)).data;
            JTorch.copyInto(doubled, off);
            assertEquals(8f, off.getAtIndex(ValueLayout.JAVA_FLOAT, 3));
        }
        assertThrows(IllegalArgumentException.class, () -> JTorch.tensor(new float[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> JTorch.tensor(heap, DType.FLOAT32, 3, 3));
    }

    @Test void conversionsAndErrors() {
        PyModule stats = s.newModule("tiny_models", "Stats");
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) stats.invoke(JTorch.tensor(new float[] {1, 2, 3, 6}), 2.0);
        assertEquals(6.0, ((Variable) r.get("mean")).data.item(), 1e-6);
        List<?> parts = (List<?>) r.get("parts");
        assertEquals(1.0, ((Variable) parts.get(0)).data.item());
        assertEquals(4L, parts.get(1));
        assertEquals("stats", r.get("name"));
        // engine errors arrive as the Python exception PyTorch would raise
        PyModule net = s.newModule("tiny_models", "MLP");
        PolyglotException e = assertThrows(PolyglotException.class, () -> net.call(JTorch.tensor(new float[6], 2, 3)));
        assertTrue(e.isGuestException());
        assertTrue(e.getMessage().startsWith("RuntimeError: mat1 and mat2 shapes cannot be multiplied"), e.getMessage());
        assertThrows(PolyglotException.class, () -> s.importModule("no_such_module"));
    }

    @Test void stateDictRoundTripAndModes() {
        PyModule a = s.newModule("tiny_models", "MLP");
        PyModule b = s.newModule("tiny_models", "MLP");
        Tensor x = JTorch.tensor(TestModels.inputs(3, 2), 3, 4);
        assertFalse(Ops.allclose(a.call(x), b.call(x), 1e-6, 1e-7, false));
        Map<String, Tensor> sd = a.stateDict();
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), new ArrayList<>(sd.keySet()));
        b.loadStateDict(sd);
        assertTrue(Ops.allclose(a.call(x), b.call(x), 0, 0, false));
        assertFalse(JTorch.isShared(b.parameters().get("fc1.weight"), sd.get("fc1.weight")), "load_state_dict copies into b's tensors");
        Map<String, Tensor> partial = new LinkedHashMap<>(sd);
        partial.remove("fc2.bias");
        assertThrows(PolyglotException.class, () -> b.loadStateDict(partial));
        assertEquals(List.of(List.of("fc2.bias"), List.of()), b.loadStateDict(partial, false));
        assertTrue(a.isTraining());
        assertFalse(a.eval().isTraining());
        assertTrue(a.train().isTraining());
    }

    @Test void trainWithPythonOptimizer() {
        s.eval("import torch; torch.manual_seed(0)");
        PyModule net = s.newModule("tiny_models", "MLP", 4, 8, 1);
        float[] xs = TestModels.inputs(32, 3);
        Variable x = new Variable(JTorch.tensor(xs, 32, 4));
        Variable y = new Variable(JTorch.tensor(TestModels.linearTargets(xs), 32, 1));
        Tensor w = net.parameters().get("fc1.weight");
        float[] w0 = w.toFloatArray();
        PyOptimizer opt = s.optimizer("Adam", net, Map.of("lr", 0.05));
        assertEquals(0.05, opt.learningRate(), 1e-12);
        Value mse = s.resolve("torch.nn.functional.mse_loss");
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++) {
            opt.zeroGrad();
            Variable loss = (Variable) s.call(mse, net.forward(x), y);
            loss.backward();                                  // Java call, Java autograd engine
            opt.step();
            if (step == 0) first = loss.data.item();
            last = loss.data.item();
        }
        assertTrue(last < first * 0.1, "loss " + first + " -> " + last);
        assertFalse(java.util.Arrays.equals(w0, w.toFloatArray()), "the optimizer updated the tensor Java holds");
    }

    @Test void trainWithJavaLoop() {
        s.eval("import torch; torch.manual_seed(1)");
        PyModule lin = s.module(s.eval("torch.nn.Linear(4, 1)"));
        Map<String, Variable> p = lin.parameterVariables();
        Variable w = p.get("weight"), b = p.get("bias");
        float[] xs = TestModels.inputs(64, 4);
        Variable x = new Variable(JTorch.tensor(xs, 64, 4));
        Variable y = new Variable(JTorch.tensor(TestModels.linearTargets(xs), 64, 1));
        double lr = 0.5, last = 0;
        for (int step = 0; step < 150; step++) {
            Variable pred = lin.forward(x);                   // forward in Python, the rest in Java
            Variable d = Torch.binary(BinaryOp.SUB, pred, y);
            Variable loss = Torch.mean(Torch.binary(BinaryOp.MUL, d, d), null, false);
            loss.backward();
            boolean prev = GradMode.set(false);
            try {
                for (Variable v : p.values()) {
                    Ops.binaryInPlace(BinaryOp.SUB, v.data, Ops.binaryScalar(BinaryOp.MUL, v.grad().data, lr, 2, false));
                    v.setGrad(null);
                }
            } finally {
                GradMode.set(prev);
            }
            last = loss.data.item();
        }
        assertTrue(last < 1e-4, "final loss " + last);
        assertArrayEquals(new float[] {0.5f, -1f, 2f, 0.25f}, w.data.toFloatArray(), 0.01f);
        assertEquals(0.3, b.data.item(), 0.01);
        // Python sees the weights Java trained
        assertEquals(2.0, s.eval("lambda m: m.weight[0, 2].item()").execute(lin.value()).asDouble(), 0.01);
        assertNotNull(lin.toString());
    }

    @Test void valuesPassThroughAndTensorsKeepIdentity() {
        Variable v = new Variable(JTorch.tensor(new float[] {1, 2}), true);
        Value py = s.tensor(v);
        assertSame(v, s.toVariable(py));
        assertTrue(s.isTensor(py));
        assertFalse(s.isTensor(s.eval("3")));
        Object back = s.call(s.eval("lambda t: t"), v);
        assertSame(v, back);
        assertInstanceOf(Value.class, s.toJava(s.eval("object()")));
    }
}
