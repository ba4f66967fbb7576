"""The MQTT broker's side of Kolam: the embedded amqtt broker for one-machine use
(``embedded``, with the checks amqtt leaves out in ``core``) and the access model both
brokers enforce: topics (``acl``), passwords (``passwd``) and Mosquitto's files
(``mosquitto``, written by ``kolam broker-config``)."""
