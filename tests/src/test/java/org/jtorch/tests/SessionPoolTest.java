package org.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.graalvm.polyglot.Engine;
import org.jtorch.bridge.JTorch;
import org.jtorch.bridge.PyModule;
import org.jtorch.bridge.Session;
import org.jtorch.bridge.SessionPool;
import org.jtorch.engine.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving: N sessions sharing one engine, many threads of inference, results equal to a single-threaded run. */
class SessionPoolTest {
    static final int SESSIONS = 3, THREADS = 6, REQUESTS = 8;
    @TempDir static Path dir;
    static Engine engine;
    static Session reference;
    static Map<String, Tensor> weights;

    @BeforeAll static void start() {
        TestModels.writeTo(dir);
        engine = JTorch.newEngine();
        reference = JTorch.session().engine(engine).addPythonPath(dir).build();
        reference.eval("import torch; torch.manual_seed(7)");
        PyModule net = reference.newModule("tiny_models", "MLP", 4, 16, 3);
        net.eval();
        weights = net.stateDict();
    }

    @AfterAll static void stop() {
        if (reference != null) reference.close();
        if (engine != null) engine.close();
    }

    @Test void concurrentInferenceMatchesSingleThreaded() throws Exception {
        // reference answers, one thread, one session
        PyModule ref = reference.newModule("tiny_models", "MLP", 4, 16, 3);
        ref.loadStateDict(weights);
        ref.eval();
        List<float[]> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < THREADS * REQUESTS; i++) {
            float[] x = TestModels.inputs(2 + i % 5, 100 + i);
            inputs.add(x);
            expected.add(ref.call(JTorch.tensor(x, x.length / 4, 4)).toFloatArray());
        }
        Set<Session> used = ConcurrentHashMap.newKeySet();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (SessionPool<PyModule> pool = SessionPool.create(SESSIONS, JTorch.session().engine(engine).addPythonPath(dir), s -> {
                PyModule m = s.newModule("tiny_models", "MLP", 4, 16, 3);
                m.loadStateDict(weights);                          // the same weights, copied into each session's model
                m.eval();
                return m;
            })) {
            assertEquals(SESSIONS, pool.size());
            ExecutorService ex = Executors.newFixedThreadPool(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t * REQUESTS;
                fs.add(ex.submit(() -> {
                    go.await();
                    for (int i = first; i < first + REQUESTS; i++) {
                        float[] x = inputs.get(i);
                        float[] y = pool.apply((s, net) -> {
                            used.add(s);
                            threads.add(Thread.currentThread().getName());
                            return net.call(JTorch.tensor(x, x.length / 4, 4)).toFloatArray();
                        });
                        assertArrayEquals(expected.get(i), y, "request " + i);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) f.get();
            ex.shutdown();
        }
        assertTrue(used.size() > 1, "requests were spread over the sessions: " + used.size());
        assertEquals(THREADS, threads.size());
    }
}
