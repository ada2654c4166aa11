package io.rnnstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rnnstream.job.JobMain;
import io.rnnstream.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/k8s parses, and names the jar the build makes, the job's main class and arguments it accepts. */
class KubernetesManifestTest {
    static final Path K8S = Path.of(System.getProperty("user.dir"), "k8s");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    @Test
    void flinkDeploymentRunsTheJobJarFromTheImage() throws Exception {
        JsonNode d = YAML.readTree(K8S.resolve("flinkdeployment.yaml").toFile());
        assertEquals("flink.apache.org/v1beta1", d.get("apiVersion").asText());
        assertEquals("FlinkDeployment", d.get("kind").asText());
        JsonNode spec = d.get("spec");
        assertTrue(spec.get("flinkVersion").asText().startsWith("v2_"), "a Flink 2 deployment");
        JsonNode job = spec.get("job");
        assertEquals(JobMain.class.getName(), job.get("entryClass").asText());
        assertEquals("savepoint", job.get("upgradeMode").asText());

        // The jar the manifest runs is the one the Dockerfile copies in, and that is the one the build makes.
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        Matcher copy = Pattern.compile("COPY\\s+(?:--chown=\\S+\\s+)?(job/target/\\S+\\.jar)\\s+(\\S+)").matcher(dockerfile);
        assertTrue(copy.find(), "the Dockerfile copies the job jar");
        Path built = Path.of(System.getProperty("rnnstream.job.jar"));
        assertEquals(built.getFileName().toString(), Path.of(copy.group(1)).getFileName().toString());
        assertEquals("local://" + copy.group(2), job.get("jarURI").asText());
        assertTrue(dockerfile.matches("(?s).*FROM \\$\\{FLINK_IMAGE}.*") && dockerfile.contains("flink:2.2")
                && dockerfile.contains("java17"), "the official Flink 2.2 Java 17 image");
        Matcher model = Pattern.compile("COPY\\s+(?:--chown=\\S+\\s+)?(models/\\S+)\\s+(\\S+)").matcher(dockerfile);
        assertTrue(model.find());
        assertTrue(Files.exists(Path.of(System.getProperty("user.dir")).getParent().resolve(model.group(1))));

        // Every argument is one the job takes; the model path is the one the image holds; credentials come
        // from the mounted Secret.
        List<String> args = new ArrayList<>();
        job.get("args").forEach(a -> args.add(a.asText()));
        assertEquals(model.group(2), args.get(args.indexOf("--model") + 1));
        String propsFile = args.get(args.indexOf("--kafka-properties-file") + 1);
        JsonNode container = spec.at("/podTemplate/spec/containers/0");
        assertEquals("flink-main-container", container.get("name").asText());
        String mount = container.at("/volumeMounts/0/mountPath").asText();
        assertTrue(propsFile.startsWith(mount + "/"), propsFile + " is under the secret's mount " + mount);
        String secretName = spec.at("/podTemplate/spec/volumes/0/secret/secretName").asText();
        JsonNode secret = YAML.readTree(K8S.resolve("kafka-secret.example.yaml").toFile());
        assertEquals(secretName, secret.at("/metadata/name").asText());
        assertTrue(secret.at("/stringData").has(Path.of(propsFile).getFileName().toString()));

        Path local = tmp.resolve("client.properties");
        Files.writeString(local, secret.at("/stringData").get(Path.of(propsFile).getFileName().toString()).asText());
        List<String> parsed = new ArrayList<>(args);
        parsed.set(parsed.indexOf(propsFile), local.toString());
        int m = parsed.indexOf("--model");
        parsed.remove(m + 1);
        parsed.remove(m);
        var config = JobOptions.parse(parsed.toArray(String[]::new)).kafkaSettings();
        assertEquals("events", config.inputTopic());
        assertEquals("SASL_SSL", config.kafkaProperties().getProperty("security.protocol"));

        JsonNode conf = spec.get("flinkConfiguration");
        for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
                "high-availability.type", "high-availability.storageDir")) {
            assertTrue(conf.hasNonNull(key), key);
        }
        // The manifest and the standalone cluster run RocksDB tuned as the CLI and the benchmarks run it.
        var standalone = StandaloneCluster.configuration(StandaloneCluster.Settings.of(Path.of("/tmp/x"), 1, 1), 1, 2)
                .toMap();
        for (var e : io.rnnstream.job.FlinkSettings.ROCKSDB_OPTIONS.entrySet()) {
            assertEquals(e.getValue(), conf.path(e.getKey()).asText(), e.getKey());
            assertEquals(e.getValue(), standalone.get(e.getKey()), e.getKey());
        }
        // ... and restart a failed job the same way, never giving up.
        for (var e : io.rnnstream.job.FlinkSettings.RESTART_OPTIONS.entrySet()) {
            assertEquals(e.getValue(), conf.path(e.getKey()).asText(), e.getKey());
            assertEquals(e.getValue(), standalone.get(e.getKey()), e.getKey());
        }
        // Prometheus metrics: the stock reporter on the documented port in the pods (scraped by annotation),
        // the loopback one on the standalone cluster, label values kept as they are everywhere.
        assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                conf.path("metrics.reporter.prom.factory.class").asText());
        assertEquals(Integer.toString(io.rnnstream.job.FlinkSettings.PROMETHEUS_PORT),
                conf.path("metrics.reporter.prom.port").asText());
        JsonNode annotations = spec.at("/podTemplate/metadata/annotations");
        assertEquals("true", annotations.path("prometheus.io/scrape").asText());
        assertEquals(conf.path("metrics.reporter.prom.port").asText(), annotations.path("prometheus.io/port").asText());
        assertEquals(io.rnnstream.job.FlinkSettings.PROMETHEUS_PORT, container.at("/ports/0/containerPort").asInt());
        String filter = "metrics.reporter.prom.filterLabelValueCharacters";
        assertEquals(io.rnnstream.job.FlinkSettings.FILTER_LABEL_VALUES, conf.path(filter).asText());
        var loopback = io.rnnstream.job.FlinkSettings.loopbackPrometheusReporter(StandaloneCluster.PROMETHEUS_PORTS);
        for (var e : loopback.entrySet()) {
            assertEquals(e.getValue(), standalone.get(e.getKey()), e.getKey());
        }
        assertEquals("127.0.0.1", standalone.get("metrics.reporter.prom.host"));
        assertEquals(io.rnnstream.metrics.LoopbackPrometheusReporterFactory.FACTORY_CLASS,
                standalone.get("metrics.reporter.prom.factory.class"));
        assertTrue(spec.at("/taskManager/resource/memory").isTextual());
        assertTrue(spec.at("/jobManager/resource/memory").isTextual());
    }
}
