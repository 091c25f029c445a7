#!/usr/bin/env python3
"""An independent MQTT 5 peer for ConformanceTest: a paho-mqtt 2.x subscriber.

    python3 paho_subscriber.py HOST PORT TOPIC_FILTER COUNT DEADLINE_SECONDS

Subscribes to TOPIC_FILTER at QoS 1, prints {"ready": true} once the SUBACK is in, then one JSON
object per message received: {"topic", "qos", "payload_hex", "properties"}, where "properties" is
every MQTT 5 property the PUBLISH carried as paho decoded it (Properties.json(): CorrelationData as
hex, UserProperty as a list of [key, value] pairs) and nothing else. Exits 0 after COUNT messages,
2 when DEADLINE_SECONDS pass first, 3 when the connection or subscription fails. One line per
object on stdout, flushed at once.
"""

import json
import sys
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def main():
    host, port, topic, count, deadline = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    done = threading.Event()
    state = {"received": 0, "exit": 0}

    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    def on_connect(c, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            emit({"error": "connect refused: %s" % reason_code})
            state["exit"] = 3
            done.set()
            return
        c.subscribe(topic, qos=1)

    def on_subscribe(c, userdata, mid, reason_codes, properties):
        if any(rc.is_failure for rc in reason_codes):
            emit({"error": "subscription refused: %s" % [str(rc) for rc in reason_codes]})
            state["exit"] = 3
            done.set()
            return
        emit({"ready": True})

    def on_message(c, userdata, msg):
        props = msg.properties.json() if msg.properties is not None else {}
        emit({
            "topic": msg.topic,
            "qos": msg.qos,
            "payload_hex": msg.payload.hex(),
            "properties": props,
        })
        state["received"] += 1
        if state["received"] >= count:
            done.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    try:
        client.connect(host, port, keepalive=30)
    except OSError as e:
        emit({"error": "cannot connect: %s" % e})
        return 3
    client.loop_start()
    finished = done.wait(deadline)
    client.disconnect()
    client.loop_stop()
    if not finished:
        emit({"error": "deadline: %d of %d messages in %.0f s" % (state["received"], count, deadline)})
        return 2
    return state["exit"]


if __name__ == "__main__":
    sys.exit(main())
