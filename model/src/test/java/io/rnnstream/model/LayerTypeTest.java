package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.LayerType;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry of layer types stays complete: every type is known by its name and survives the native file. */
class LayerTypeTest {
    @Test
    void everyLayerIsItsRegisteredType() {
        Model m = TestModels.everything(3);
        Set<LayerType> seen = new LinkedHashSet<>();
        for (Layer l : ModelFile.decode(ModelFile.encode(m), "m").layers()) {
            assertSame(l.layerType(), LayerType.of(l.type()), l.name());
            assertTrue(LayerType.all().contains(l.layerType()), l.type());
            seen.add(l.layerType());
        }
        // Flatten cannot run in a streaming model: TestModels.flatten covers it.
        for (Layer l : TestModels.flatten(3).layers()) {
            seen.add(l.layerType());
        }
        assertEquals(Set.copyOf(LayerType.all()), seen, "a layer type with no model in TestModels is never tested");
    }

    @Test
    void anUnknownTypeNamesTheKnownOnes() {
        ModelException e = assertThrows(ModelException.class, () -> LayerType.of("Conv1D"));
        assertEquals("unknown layer type 'Conv1D'; this rnnstream reads SimpleRNN, LSTM, GRU, Dense, Masking,"
                + " Normalization, Dropout and Flatten: upgrade rnnstream to read this file", e.getMessage());
    }
}
