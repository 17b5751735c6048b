package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

/** topologies/repair-shop/events.ts in Java: the shop's Avro events as the JSON its stores keep, and the summary of a closed ticket. */
final class ShopEvents {
  /** `new Date(ms).toISOString()`: always milliseconds, always Z. */
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ShopEvents() {}

  private static String text(GenericRecord record, String field) {
    Object value = record.get(field);
    return value == null ? null : value.toString();
  }

  static JsonNode openTicket(GenericRecord event) {
    GenericRecord r = (GenericRecord) event.get("requester");
    ObjectNode ticket = JsonSerde.MAPPER.createObjectNode();
    ticket.put("ticketId", text(event, "ticket_id"));
    ticket.put("openedAt", (Long) event.get("occurred_on"));
    ObjectNode requester = ticket.putObject("requester");
    requester.put("email", text(r, "email")).put("name", text(r, "name")).put("middlename", text(r, "middlename"))
        .put("surname", text(r, "surname")).put("age", (Integer) r.get("age"));
    ticket.put("repairType", text(event, "repair_type"));
    return ticket;
  }

  static JsonNode bookedAppointment(GenericRecord event) {
    return JsonSerde.MAPPER.createObjectNode()
        .put("ticketId", text(event, "ticket_id")).put("appointmentId", text(event, "appointment_id"))
        .put("bookedAt", (Long) event.get("occurred_on")).put("scheduledAt", (Long) event.get("scheduled_at"));
  }

  static JsonNode registeredPayment(GenericRecord event) {
    ByteBuffer bytes = ((ByteBuffer) event.get("amount")).duplicate();
    byte[] unscaled = new byte[bytes.remaining()];
    bytes.get(unscaled);
    return JsonSerde.MAPPER.createObjectNode()
        .put("ticketId", text(event, "ticket_id")).put("paymentId", text(event, "payment_id"))
        .put("amount", new BigDecimal(new BigInteger(unscaled), 2).toPlainString()).put("paidAt", (Long) event.get("occurred_on"));
  }

  static JsonNode noPayments() {
    ObjectNode payments = JsonSerde.MAPPER.createObjectNode();
    payments.putArray("paymentIds");
    return payments.put("total", "0").put("lastPaidAt", 0L);
  }

  /** Adds a payment once per payment id; sums exactly (BigDecimal adds at the larger scale, as addDecimals does). */
  static JsonNode withPayment(JsonNode payments, JsonNode payment) {
    String id = payment.get("paymentId").asText();
    for (JsonNode paid : payments.get("paymentIds")) if (paid.asText().equals(id)) return payments;
    ObjectNode next = JsonSerde.MAPPER.createObjectNode();
    next.putArray("paymentIds").addAll((com.fasterxml.jackson.databind.node.ArrayNode) payments.get("paymentIds")).add(id);
    next.put("total", new BigDecimal(payments.get("total").asText()).add(new BigDecimal(payment.get("amount").asText())).toPlainString());
    next.put("lastPaidAt", Math.max(payments.get("lastPaidAt").asLong(), payment.get("paidAt").asLong()));
    return next;
  }

  static long closedAt(JsonNode closing) {
    return Math.max(Math.max(closing.get("ticket").get("openedAt").asLong(), closing.get("appointment").get("bookedAt").asLong()),
        closing.get("payments").get("lastPaidAt").asLong());
  }

  static JsonNode summaryOf(JsonNode closing) {
    JsonNode ticket = closing.get("ticket");
    JsonNode appointment = closing.get("appointment");
    JsonNode payments = closing.get("payments");
    JsonNode r = ticket.get("requester");
    List<String> parts = new ArrayList<>();
    for (String field : new String[] {"name", "middlename", "surname"}) {
      JsonNode part = r.get(field);
      if (part != null && !part.isNull() && !part.asText().isEmpty()) parts.add(part.asText());
    }
    return JsonSerde.MAPPER.createObjectNode()
        .put("ticketId", ticket.get("ticketId").asText())
        .put("requester", String.join(" ", parts))
        .put("email", r.get("email").asText())
        .put("repairType", ticket.get("repairType").asText())
        .put("appointmentId", appointment.get("appointmentId").asText())
        .put("scheduledAt", ISO.format(Instant.ofEpochMilli(appointment.get("scheduledAt").asLong())))
        .put("paid", payments.get("total").asText())
        .put("payments", payments.get("paymentIds").size())
        .put("openedAt", ISO.format(Instant.ofEpochMilli(ticket.get("openedAt").asLong())))
        .put("closedAt", ISO.format(Instant.ofEpochMilli(closedAt(closing))));
  }
}
