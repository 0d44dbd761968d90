package dev.quantscope.app.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One library the app ships, as its POM names it and its license(s). */
public record ThirdPartyLicense(String groupId, String artifactId, String version, String name, String licenses,
                                String url) {

    /** Written by license-maven-plugin at build time (src/license/third-party.ftl): one library a line. */
    static final String RESOURCE = "third-party.tsv";

    /** The shipped libraries, in the build's order; empty when this copy was not built by Maven. */
    public static List<ThirdPartyLicense> shipped() {
        try (InputStream in = ThirdPartyLicense.class.getResourceAsStream(RESOURCE)) {
            return in == null ? List.of() : parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<ThirdPartyLicense> parse(InputStream in) throws IOException {
        List<ThirdPartyLicense> all = new ArrayList<>();
        var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (f.length < 6) continue;
            all.add(new ThirdPartyLicense(f[0], f[1], f[2], f[3], f[4].isBlank() ? "license not stated" : f[4], f[5]));
        }
        return List.copyOf(all);
    }
}
