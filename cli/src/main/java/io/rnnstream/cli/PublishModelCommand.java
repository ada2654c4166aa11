package io.rnnstream.cli;

import io.rnnstream.connectors.Event;
import io.rnnstream.connectors.kafka.ModelTopic;
import io.rnnstream.job.swap.ModelUpdate;
import io.rnnstream.model.Model;
import io.rnnstream.model.ModelException;
import io.rnnstream.model.ModelFile;
import io.rnnstream.model.ModelLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rnnstream publish-model}: sends a model update to a running stream's model topic. */
@Command(name = "publish-model", mixinStandardHelpOptions = true, versionProvider = Rnnstream.Version.class,
        description = "Sends a model to the model topic of running stream jobs (--model-topic), which swap to it"
                + " without a restart: new sequences start on it (or all switch, per the job's --swap-policy). The"
                + " job reports on its status topic whether it took the model or refused it.")
final class PublishModelCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "The model: an rnnstream file, a Keras .h5/.keras, model.json with its weights beside it,"
                    + " or an ONNX .onnx file.")
    Path model;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, description = "The jobs' model topic (their --model-topic).")
    String topic;

    @Option(names = "--effective-ts", paramLabel = "MS|ISO-8601",
            description = "Sequences whose first event's ts is at or after this start on the new model (epoch ms,"
                    + " or e.g. 2026-05-03T12:00:00Z). Default: every sequence that starts once the job has it.")
    String effectiveTs;

    @Option(names = "--by-reference",
            description = "Send {\"path\": …} instead of the model's bytes; every task manager must read the file"
                    + " at that path (for models beyond the topic's message size).")
    boolean byReference;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Any Kafka producer property; repeatable.")
    List<String> kafkaProperties = new ArrayList<>();

    @Option(names = "--kafka-properties-file", paramLabel = "FILE",
            description = "A .properties file of Kafka producer properties, e.g. credentials (as stream's).")
    java.nio.file.Path kafkaPropertiesFile;

    @Override
    protected int run() throws Exception {
        Model m = ModelLoader.load(model);
        String why = m.whyNotCausal();
        if (why != null) {
            throw new ModelException("a stream cannot run this model one event at a time: " + why);
        }
        long eff = parseEffectiveTs(effectiveTs);
        byte[] value;
        if (byReference) {
            value = ModelUpdate.referenceJson(model, eff, m.sha256().substring(0, 12))
                    .getBytes(StandardCharsets.UTF_8);
        } else {
            value = ModelFile.encode(m);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Math.max(1 << 20, value.length + (64 << 10))));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putAll(KafkaClientSettings.load(kafkaPropertiesFile, kafkaProperties, err()));
        ModelTopic.requireSinglePartition(bootstrapServers, topic, p);
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null,
                m.id().getBytes(StandardCharsets.UTF_8), value);
        if (eff != Event.NO_TS && !byReference) {
            r.headers().add(ModelUpdate.EFFECTIVE_TS_HEADER, Long.toString(eff).getBytes(StandardCharsets.UTF_8));
        }
        RecordMetadata md;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            md = producer.send(r).get();
        }
        out().printf("published %s (%s, %d bytes) to %s-%d@%d, effective %s%n", m.id(), byReference ? "by reference"
                : "model file", value.length, md.topic(), md.partition(), md.offset(),
                eff == Event.NO_TS ? "for sequences starting from now on" : "from ts " + eff + " ("
                        + Instant.ofEpochMilli(eff) + ")");
        return 0;
    }

    static long parseEffectiveTs(String s) {
        if (s == null || s.isBlank()) {
            return Event.NO_TS;
        }
        String v = s.trim();
        if (v.matches("-?\\d+")) {
            return Long.parseLong(v);
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--effective-ts takes epoch milliseconds or an ISO-8601 instant such"
                    + " as 2026-05-03T12:00:00Z, not '" + s + "'");
        }
    }
}
