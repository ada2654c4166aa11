package io.rnnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindingTest {
    @Test
    void onlyAnAddressBeyondLoopbackWarns() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("rest.bind-address", "127.0.0.1");
        conf.put("taskmanager.bind-host", "localhost");
        conf.put("state.backend.type", "rocksdb");
        assertEquals(List.of(), Binding.warnings(conf, "-D"));
        conf.put("rest.bind-address", "0.0.0.0");
        conf.put("jobmanager.rpc.address", "10.1.2.3");
        List<String> w = Binding.warnings(conf, "-D");
        assertEquals(2, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("WARNING: -D rest.bind-address=0.0.0.0 makes Flink listen beyond this machine"),
                w.get(0));
        assertTrue(w.get(1).contains("jobmanager.rpc.address=10.1.2.3"), w.get(1));
    }
}
