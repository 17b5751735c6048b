package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.Scenario;
import dev.tributary.interop.differential.bundled.serde.ConfluentAvroSerde;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * topologies/repair-shop in Kafka Streams: tickets, appointments and payments (Avro, schema
 * registry) re-keyed by ticket id into tables, joined, and each ticket closed once. Option
 * {@code registry.url}: the schema registry.
 */
public final class RepairShop implements Scenario {
  /** ticketClosedSchema of topologies/repair-shop/schemas.ts. */
  private static final Schema TICKET_CLOSED = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"TicketClosed\",\"namespace\":\"shop.tickets\",\"fields\":["
      + "{\"name\":\"occurred_on\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
      + "{\"name\":\"ticket_id\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}}]}");

  @Override
  public Topology build(Map<String, String> options) {
    String suffix = options.getOrDefault("output.suffix", "");
    String registryUrl = options.get("registry.url");
    if (registryUrl == null) throw new IllegalArgumentException("RepairShop needs registry.url=<schema registry URL>");
    Serde<JsonNode> json = JsonSerde.json();
    Serde<GenericRecord> events = ConfluentAvroSerde.forValues(registryUrl, TICKET_CLOSED);
    StreamsBuilder b = new StreamsBuilder();

    KTable<String, JsonNode> tickets = b.stream("tickets", Consumed.with(Serdes.String(), events))
        .filter((key, event) -> event != null, Named.as("repair-shop-tickets-present"))
        .mapValues(ShopEvents::openTicket, Named.as("repair-shop-open-ticket"))
        .groupBy((key, ticket) -> ticket.get("ticketId").asText(), Grouped.with("repair-shop-tickets-by-id", Serdes.String(), json))
        .reduce((previous, latest) -> latest, Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as("repair-shop-tickets").withValueSerde(json));
    KTable<String, JsonNode> appointments = b.stream("appointments", Consumed.with(Serdes.String(), events))
        .filter((key, event) -> event != null, Named.as("repair-shop-appointments-present"))
        .mapValues(ShopEvents::bookedAppointment, Named.as("repair-shop-booked-appointment"))
        .groupBy((key, appointment) -> appointment.get("ticketId").asText(), Grouped.with("repair-shop-appointments-by-id", Serdes.String(), json))
        .reduce((previous, latest) -> latest, Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as("repair-shop-appointments").withValueSerde(json));
    KTable<String, JsonNode> payments = b.stream("payments", Consumed.with(Serdes.String(), events))
        .filter((key, event) -> event != null, Named.as("repair-shop-payments-present"))
        .mapValues(ShopEvents::registeredPayment, Named.as("repair-shop-registered-payment"))
        .groupBy((key, payment) -> payment.get("ticketId").asText(), Grouped.with("repair-shop-payments-by-id", Serdes.String(), json))
        .aggregate(ShopEvents::noPayments, (id, payment, paid) -> ShopEvents.withPayment(paid, payment),
            Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as("repair-shop-payments").withValueSerde(json));

    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("repair-shop-closed"), Serdes.String(), Serdes.Long()));
    KStream<String, JsonNode> closing = tickets
        .join(appointments, (ticket, appointment) -> {
          ObjectNode booked = JsonSerde.MAPPER.createObjectNode();
          booked.set("ticket", ticket);
          booked.set("appointment", appointment);
          return (JsonNode) booked;
        }, Named.as("repair-shop-booked-tickets"), Materialized.with(Serdes.String(), json))
        .join(payments, (booked, paid) -> (JsonNode) ((ObjectNode) booked.deepCopy()).set("payments", paid),
            Named.as("repair-shop-paid-tickets"), Materialized.with(Serdes.String(), json))
        .toStream(Named.as("repair-shop-closable"))
        .process(CloseOnce::new, Named.as("repair-shop-close-once"), "repair-shop-closed");

    closing
        .mapValues(c -> {
          GenericRecord closed = new GenericData.Record(TICKET_CLOSED);
          closed.put("occurred_on", ShopEvents.closedAt(c));
          closed.put("ticket_id", c.get("ticket").get("ticketId").asText());
          return closed;
        }, Named.as("repair-shop-ticket-closed"))
        .to("ticket_closed" + suffix, Produced.with(Serdes.String(), events).withName("repair-shop-ticket-closed-sink"));
    closing
        .mapValues(ShopEvents::summaryOf, Named.as("repair-shop-summary"))
        .to("closed_ticket_summaries" + suffix, Produced.with(Serdes.String(), json).withName("repair-shop-summary-sink"));
    return b.build();
  }

  /** close-once.ts: the first complete ticket per id passes, nothing after it. */
  private static final class CloseOnce implements Processor<String, JsonNode, String, JsonNode> {
    private ProcessorContext<String, JsonNode> ctx;
    private KeyValueStore<String, Long> closed;

    @Override
    public void init(ProcessorContext<String, JsonNode> context) {
      ctx = context;
      closed = context.getStateStore("repair-shop-closed");
    }

    @Override
    public void process(Record<String, JsonNode> record) {
      if (record.value() == null || closed.get(record.key()) != null) return;
      closed.put(record.key(), ShopEvents.closedAt(record.value()));
      ctx.forward(record);
    }
  }
}
