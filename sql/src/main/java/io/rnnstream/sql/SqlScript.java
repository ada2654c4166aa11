package io.rnnstream.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.table.api.TableEnvironment;

/**
 * A SQL script as the statements {@link TableEnvironment#executeSql} takes one at a time, and the
 * environment set up to run them: {@link RnnClassify} as a system function (the 'rnnstream' model
 * provider needs nothing: Flink finds it on the class path).
 */
public final class SqlScript {
    private SqlScript() {}

    /** Registers RNN_CLASSIFY in {@code t}, callable without a catalog or database prefix. */
    public static void register(TableEnvironment t) {
        t.createTemporarySystemFunction(RnnClassify.NAME, RnnClassify.class);
    }

    /**
     * The statements of {@code script}, split at top-level semicolons: not inside quotes ('…', "…",
     * `…`) or comments (-- to the end of the line, /* … *&#47;), and not inside an {@code EXECUTE
     * STATEMENT SET BEGIN … END}, which is one statement. Comments are dropped, empty statements too.
     */
    public static List<String> split(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n) {
                    if (script.charAt(j) == c) {
                        // A doubled quote is an escaped quote, inside the same literal.
                        if (j + 1 < n && script.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                cur.append(script, i, Math.min(j + 1, n));
                i = j;
            } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                while (i < n && script.charAt(i) != '\n') {
                    i++;
                }
                cur.append('\n');
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
                cur.append(' ');
            } else if (c == ';' && !(isStatementSet(cur) && !endsWithEnd(cur))) {
                add(out, cur);
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        add(out, cur);
        return out;
    }

    private static final java.util.regex.Pattern SET = java.util.regex.Pattern.compile(
            "(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'");

    /**
     * {@code SET 'key' = 'value'} applied to {@code t}'s configuration, as the SQL Client does it;
     * false when {@code statement} is no such SET. {@link TableEnvironment#executeSql} refuses SET
     * (it is a client statement), yet scripts written for the SQL Client use it for checkpointing.
     */
    public static boolean applySet(TableEnvironment t, String statement) {
        java.util.regex.Matcher m = SET.matcher(statement.strip());
        if (!m.matches()) {
            return false;
        }
        t.getConfig().getConfiguration().setString(m.group(1).replace("''", "'"), m.group(2).replace("''", "'"));
        return true;
    }

    /** INSERTs and statement sets start jobs whose results are not rows to print. */
    public static boolean isDml(String statement) {
        String s = normalized(statement);
        return s.startsWith("INSERT ") || s.startsWith("EXECUTE STATEMENT SET") || s.startsWith("EXECUTE INSERT ");
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
    }

    private static boolean isStatementSet(CharSequence s) {
        return normalized(s).startsWith("EXECUTE STATEMENT SET");
    }

    private static boolean endsWithEnd(CharSequence s) {
        return normalized(s).endsWith(" END");
    }

    private static String normalized(CharSequence s) {
        return s.toString().strip().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
    }
}
