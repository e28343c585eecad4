package org.isthmus.xmpp.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where the attribute count of one tag passes the limit, however the bytes are split. */
class AttributeCounterTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "<a x='1' y='2'/>                                   | -1",
            "<a x='1' y='2' z='3'/>                             | 16",
            "<a xmlns:p='u' p:x='1' y='2'/>                     | 24",
            "<a x='=' y=\"=='\"/>                               | -1",
            "<a x='1'><b y='1' z='1'/></a>                      | -1",
            "<a><![CDATA[<b x='1' y='2' z='3'>]]></a>           | -1",
            "<a><![CDATA[]]]]>=]]><b x='1' y='2' z='3'/></a>    | 37",
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?><a/> | -1",
            "text = with = equals = signs <a x='1'/>            | -1"})
    void findsTheFirstAttributePastTheLimitAtEverySplit(String xml, int expected) {
        byte[] bytes = xml.strip().getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            AttributeCounter counter = new AttributeCounter(2);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int found = counter.scan(buffer, 0, split);
            if (found < 0) {
                found = counter.scan(buffer, split, bytes.length);
            }
            assertThat(found).as("split at %d", split).isEqualTo(expected);
        }
    }
}
