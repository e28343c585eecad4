package org.isthmus.gateway.cli;

import picocli.CommandLine;

/** Reads the version from the jar manifest. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"isthmus " + (v == null ? "(development build)" : v)};
    }
}
