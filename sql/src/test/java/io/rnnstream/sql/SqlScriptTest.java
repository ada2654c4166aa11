package io.rnnstream.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsAtTopLevelSemicolonsOnly() {
        String script = """
                -- a comment; with a semicolon
                SET 'pipeline.name' = 'a;b';
                CREATE TABLE `we;ird` (x INT) /* block; comment */ WITH ('connector' = 'datagen');
                SELECT 'it''s; fine' FROM t;;
                EXECUTE STATEMENT SET BEGIN
                  INSERT INTO a SELECT * FROM t;
                  INSERT INTO b SELECT * FROM t;
                END;
                SELECT 1""";
        List<String> s = SqlScript.split(script);
        assertEquals(5, s.size(), s.toString());
        assertEquals("SET 'pipeline.name' = 'a;b'", s.get(0));
        assertEquals("CREATE TABLE `we;ird` (x INT)   WITH ('connector' = 'datagen')", s.get(1));
        assertEquals("SELECT 'it''s; fine' FROM t", s.get(2));
        assertTrue(s.get(3).startsWith("EXECUTE STATEMENT SET BEGIN") && s.get(3).endsWith("END"), s.get(3));
        assertEquals("SELECT 1", s.get(4));
        assertTrue(SqlScript.isDml(s.get(3)));
        assertTrue(SqlScript.isDml("insert into x select 1"));
        assertFalse(SqlScript.isDml(s.get(2)));
    }

    @Test
    void setStatementsGoToTheTableConfigurationAsInTheSqlClient() {
        org.apache.flink.table.api.TableEnvironment t = org.apache.flink.table.api.TableEnvironment.create(
                org.apache.flink.table.api.EnvironmentSettings.inStreamingMode());
        assertTrue(SqlScript.applySet(t, "set 'execution.checkpointing.interval' =\n '1 s'"));
        assertTrue(SqlScript.applySet(t, "SET 'pipeline.name' = 'it''s'"));
        assertEquals("1 s", t.getConfig().getConfiguration().toMap().get("execution.checkpointing.interval"));
        assertEquals("it's", t.getConfig().getConfiguration().toMap().get("pipeline.name"));
        assertFalse(SqlScript.applySet(t, "SELECT 1"));
        assertFalse(SqlScript.applySet(t, "SET"));
    }
}
