package dev.quantscope.engine.classifier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchitectureJsonTest {

    @Test
    void everyLayerKindRoundTrips() {
        Architecture a = Architecture.parse("conv:8:5,bn,pool:2,conv:4,gelu,fc:32,dropout:0.25,fc:16", InputShape.image(28, 28), 10);
        String json = ArchitectureJson.write(a);
        assertTrue(json.startsWith("{\"input\":[1,28,28],\"classes\":10,\"layers\":[{\"name\":\"conv1\",\"type\":\"conv\",\"channels\":8,\"kernel\":5}"), json);
        assertEquals(a, ArchitectureJson.read(json));
    }

    @Test
    void badDescriptionsAreOneSentence() {
        for (String json : new String[] {"[", "{}", "{\"input\":[1,2,2],\"classes\":2,\"layers\":[{\"name\":\"a\",\"type\":\"wobble\"}]}",
                "{\"input\":[1,2,2],\"classes\":3,\"layers\":[{\"name\":\"out\",\"type\":\"dense\",\"units\":2}]}",
                "{\"input\":[1,2,2],\"classes\":2,\"layers\":[{\"name\":\"out\",\"type\":\"dense\",\"units\":-2}]}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchitectureJson.read(json));
            assertTrue(e.getMessage().startsWith("The architecture description is not"), e.getMessage());
            assertTrue(!e.getMessage().contains("Exception"), e.getMessage());
        }
    }
}
