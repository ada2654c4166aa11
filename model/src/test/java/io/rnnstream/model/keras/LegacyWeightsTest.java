package io.rnnstream.model.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.rnnstream.model.Fixtures;
import io.rnnstream.model.Forward;
import io.rnnstream.model.Model;
import io.rnnstream.model.layers.Dense;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keras 2's {@code save_weights("x.h5")} layout (layer groups at the root) with a JSON config. */
class LegacyWeightsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void timeDistributedDenseAfterReturnSequences() throws IOException {
        Path caseH5 = Fixtures.conformance("cases/kerasjs-GRU-2/model.h5");
        Path weights = tmp.resolve("td.h5");
        float[][] tdKernel = {{1f, 0f}, {0f, 1f}, {0.5f, 0.5f}, {-1f, 2f}};
        float[] tdBias = {0.1f, -0.2f};
        ObjectNode config;
        try (HdfFile src = new HdfFile(caseH5); WritableHdfFile w = HdfFile.write(weights)) {
            config = (ObjectNode) JSON.readTree((String) src.getAttribute("model_config").getData());
            w.putAttribute("layer_names", new String[] {"gru_1", "td"});
            w.putAttribute("keras_version", "2.2.4");
            WritableGroup gru = w.putGroup("gru_1");
            gru.putAttribute("weight_names",
                    new String[] {"gru_1/kernel:0", "gru_1/recurrent_kernel:0", "gru_1/bias:0"});
            WritableGroup inner = gru.putGroup("gru_1");
            for (String n : new String[] {"kernel:0", "recurrent_kernel:0", "bias:0"}) {
                inner.putDataset(n, src.getDatasetByPath("model_weights/gru_1/gru_1/" + n).getData());
            }
            WritableGroup td = w.putGroup("td");
            td.putAttribute("weight_names", new String[] {"td/kernel:0", "td/bias:0"});
            WritableGroup tdInner = td.putGroup("td");
            tdInner.putDataset("kernel:0", tdKernel);
            tdInner.putDataset("bias:0", tdBias);
        }
        ArrayNode layers = (ArrayNode) config.get("config").get("layers");
        ObjectNode tdLayer = layers.addObject();
        tdLayer.put("class_name", "TimeDistributed");
        ObjectNode tdc = tdLayer.putObject("config");
        tdc.put("name", "td");
        ObjectNode inner = tdc.putObject("layer");
        inner.put("class_name", "Dense");
        inner.putObject("config").put("name", "dense_x").put("units", 2).put("activation", "linear");
        Path json = tmp.resolve("td.json");
        Files.write(json, JSON.writeValueAsBytes(config));

        Model withHead = KerasImport.load(json, weights);
        Model gruOnly = KerasImport.load(caseH5);
        Dense d = (Dense) withHead.layers().get(1);
        assertEquals("td", d.name());
        assertTrue(withHead.outputIsSequence());
        float[][] x = {{0.1f, 0.2f, 0.3f, -0.4f, 0.5f, 0.6f}, {0, 0, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1}};
        float[][] h = Forward.predict(gruOnly, x);
        float[][] y = Forward.predict(withHead, x);
        assertEquals(3, y.length);
        for (int t = 0; t < 3; t++) {
            for (int k = 0; k < 2; k++) {
                float want = tdBias[k];
                for (int j = 0; j < 4; j++) {
                    want += h[t][j] * tdKernel[j][k];
                }
                assertEquals(want, y[t][k], 1e-6f);
            }
        }
    }
}
