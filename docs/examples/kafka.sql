-- Kafka to Kafka with RNN_CLASSIFY: the demo's topics, exactly once.
--   ./rnnstream kafka &                      # a broker on 127.0.0.1:9092
--   ./rnnstream sql -f docs/examples/kafka.sql
-- The events are the stream's JSON lines: {"key", "step", "ts", "features", "end"} (docs/STREAMING.md).
-- Bootstrap servers, topics, model path and group id are the only things to change.

CREATE TABLE events (
  `key` STRING,
  step INT,
  ts BIGINT,
  features ARRAY<FLOAT>,
  `end` BOOLEAN,
  -- Event time from ts (epoch milliseconds): timers (the idle timeout) run on it.
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '1' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'events',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'properties.group.id' = 'rnnstream-sql',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  -- A line that is not JSON is skipped by Flink's JSON format (not counted); rows that are JSON but no
  -- valid event come out of RNN_CLASSIFY with their error (the dead_letters table below).
  'json.ignore-parse-errors' = 'true'
);

-- The sinks use 'rnnstream-kafka': Flink's Kafka connector (every 'kafka' option) whose writer rides out a
-- broker outage (the job restarts and carries on); with 'kafka' a long outage stops the TaskManager.
CREATE TABLE outputs (
  `key` STRING,
  step INT,
  output ARRAY<FLOAT>,
  label STRING,
  `final` BOOLEAN,
  decision BOOLEAN,
  model STRING,
  reason STRING
) WITH (
  'connector' = 'rnnstream-kafka',
  'topic' = 'outputs',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'format' = 'json',
  -- Written in Kafka transactions committed at each checkpoint: read them with isolation.level=read_committed.
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'rnnstream-sql-outputs',
  'properties.transaction.timeout.ms' = '900000'
);

CREATE TABLE dead_letters (
  `key` STRING,
  error STRING,
  `raw` STRING
) WITH (
  'connector' = 'rnnstream-kafka',
  'topic' = 'dead-letters',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'rnnstream-sql-dead-letters',
  'properties.transaction.timeout.ms' = '900000'
);

-- One stateful function, two destinations: both INSERTs name the same uid, so the planner keeps a
-- single RNN_CLASSIFY operator (and a single state) and splits its rows by the error column.
CREATE TEMPORARY VIEW classified AS
SELECT * FROM RNN_CLASSIFY(
  input => TABLE events PARTITION BY `key`,
  model => 'models/mnist-simplernn.rnns',
  idle_timeout => '30 s',
  on_time => DESCRIPTOR(event_time),
  uid => 'rnn-classify');

EXECUTE STATEMENT SET BEGIN
  INSERT INTO outputs
    SELECT `key`, step, output, label, `final`, decision, model, reason FROM classified WHERE error IS NULL;
  INSERT INTO dead_letters
    SELECT `key`, error, `raw` FROM classified WHERE error IS NOT NULL;
END;
