from datetime import datetime, timedelta, timezone

from bouncewatch.parsers.envelope import EnvelopeParser, infer_year

UTC = timezone.utc


def test_rfc3164_with_pid_and_padded_day():
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC)
    e = p.parse("Nov  2 13:31:27 mx1 postfix/smtp[1234]: ABC123: to=<a@b>")
    assert e.timestamp == datetime(2026, 11, 2, 13, 31, 27, tzinfo=UTC)
    assert (e.host, e.program, e.pid, e.message) == ("mx1", "postfix/smtp", 1234, "ABC123: to=<a@b>")


def test_year_inferred_across_new_year():
    jan2 = datetime(2027, 1, 2, 10, 0, tzinfo=UTC)
    assert infer_year(12, 31, jan2) == 2026
    assert infer_year(1, 1, jan2) == 2027
    p = EnvelopeParser(ref=jan2, tz=UTC)
    assert p.parse("Dec 31 23:59:59 h postfix/qmgr[1]: x").timestamp.year == 2026
    assert p.parse("Jan  1 00:00:01 h postfix/qmgr[1]: x").timestamp.year == 2027


def test_leap_day_against_non_leap_reference():
    p = EnvelopeParser(ref=datetime(2029, 3, 1, tzinfo=UTC), tz=UTC)
    assert p.parse("Feb 29 10:00:00 h postfix/smtp[1]: x").timestamp.year == 2028


def test_postlogd_maillog_file_line_from_postfix_3_7():
    """Captured from Debian 12's Postfix 3.7.11 (tests/test_realmta_postfix.py):
    postlogd formats with "%b %d %H:%M:%S " -- no fraction, no year, and the
    day zero-padded ("Nov 03"), unlike syslog's space-padded "Nov  3"."""
    p = EnvelopeParser(ref=datetime(2026, 11, 23, 3, 0, tzinfo=UTC), tz=UTC)
    line = ("Nov 23 02:56:53 mta postfix/smtp[147]: 3F67920E9D0: to=<rcpt@greylisted.test>, "
            "relay=mx.greylisted.test[127.0.1.5]:25, delay=0.16, delays=0.02/0.05/0.07/0.02, "
            "dsn=4.2.0, status=deferred (host mx.greylisted.test[127.0.1.5] said: 450 4.2.0 "
            "<rcpt@greylisted.test>: Recipient address rejected: Greylisted (in reply to RCPT TO command))")
    e = p.parse(line)
    assert e.timestamp == datetime(2026, 11, 23, 2, 56, 53, tzinfo=UTC)
    assert (e.host, e.program, e.pid) == ("mta", "postfix/smtp", 147)
    assert e.message.startswith("3F67920E9D0: to=<rcpt@greylisted.test>")
    early = p.parse("Nov 03 09:05:01 mta postfix/qmgr[130]: 3F67920E9D0: removed")
    assert early.timestamp == datetime(2026, 11, 3, 9, 5, 1, tzinfo=UTC)
    assert early.message == "3F67920E9D0: removed"


def test_postlogd_microseconds():
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC)
    e = p.parse("Nov 22 13:31:27.123456 mx postfix/smtp[9]: m")
    assert e.timestamp.microsecond == 123456 and e.program == "postfix/smtp"


def test_rfc3339_high_precision():
    e = EnvelopeParser().parse("2026-11-22T13:31:27.123456+01:00 mx postfix/qmgr[42]: X: removed")
    assert e.timestamp == datetime(2026, 11, 22, 12, 31, 27, 123456, tzinfo=UTC)
    assert e.timestamp.utcoffset() == timedelta(hours=1)
    assert (e.host, e.program, e.pid, e.message) == ("mx", "postfix/qmgr", 42, "X: removed")


def test_collector_stamp_around_syslog_line():
    e = EnvelopeParser().parse("2021-03-06T06:09:00.000Z Mar  6 06:09:00 mail postfix/smtp[7]: hello")
    assert e.timestamp == datetime(2021, 3, 6, 6, 9, tzinfo=UTC)
    assert (e.host, e.program, e.message) == ("mail", "postfix/smtp", "hello")


def test_docker_compose_service_column():
    """`docker compose logs` (v2 "-1", v1 "_1"; with --timestamps too) of
    mailcow, Mailu or docker-mailserver: the column goes, the line stays."""
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC)
    for line in ("postfix-mailcow-1  | Nov 22 13:31:27 mail postfix/smtp[7]: hello",
                 "postfix-mailcow_1    | Nov 22 13:31:27 mail postfix/smtp[7]: hello",
                 "mailserver  | 2026-11-22T13:31:27.000000000Z Nov 22 13:31:27 mail postfix/smtp[7]: hello",
                 "front.mx-1 | 2026-11-22T13:31:27+00:00 mail postfix/smtp[7]: hello"):
        e = p.parse(line)
        assert e is not None, line
        assert e.timestamp == datetime(2026, 11, 22, 13, 31, 27, tzinfo=UTC), line
        assert (e.host, e.program, e.pid, e.message) == ("mail", "postfix/smtp", 7, "hello"), line
    e = p.parse("exim-1  | 2026-11-22 13:31:27 1rABCD-000123-AB Completed")
    assert (e.program, e.message) == ("exim", "1rABCD-000123-AB Completed")
    # one column only, and only before a line that is one of ours
    assert p.parse("a  | b  | Nov 22 13:31:27 mail postfix/smtp[7]: hello") is None
    assert p.parse("postfix-1  | hello") is None
    assert p.parse("-x  | Nov 22 13:31:27 mail postfix/smtp[7]: hello") is None


def test_solaris_message_id_is_part_of_the_head():
    """Solaris/illumos syslogd: "[ID <msgid> <facility.level>]" before the
    message (a line quoted in public log-parser test data); both the whole
    head and the split the block path uses drop it."""
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC)
    line = ("Aug  3 03:19:02 sarcnode sendmail[12325]: [ID 801593 mail.info] r72DY20O010335: to=root, "
            "delay=03:45:00, xdelay=00:00:00, mailer=relay, pri=1381565, relay=[127.0.0.1] [127.0.0.1], "
            "dsn=4.0.0, stat=Deferred: Connection refused by [127.0.0.1]")
    e = p.parse(line)
    assert (e.host, e.program, e.pid) == ("sarcnode", "sendmail", 12325)
    assert e.message.startswith("r72DY20O010335: to=root")
    m = p.match_head(line)
    assert line[p.match_tail(line, m.end(1) + 1).end():] == e.message
    iso = "2026-11-22T13:31:27+01:00 mail postfix/smtp[7]: [ID 197553 mail.info] ABC: to=<a@b>"
    assert p.parse(iso).message == "ABC: to=<a@b>"
    for other in ("Nov 22 13:31:27 mail postfix/smtp[7]: [ID x mail.info] hello",
                  "Nov 22 13:31:27 mail postfix/smtp[7]: [ID 1 mail.info]hello"):
        assert p.parse(other).message.startswith("[ID "), other   # not that mark: the message's own


def test_rfc5424_with_structured_data():
    line = '<22>1 2026-11-22T13:31:27.5Z mx postfix/smtp 77 - [meta a="x\\]y"] ABC: to=<a@b>'
    e = EnvelopeParser().parse(line)
    assert (e.host, e.program, e.pid, e.message) == ("mx", "postfix/smtp", 77, "ABC: to=<a@b>")
    assert e.timestamp.microsecond == 500000


def test_journald_json():
    line = ('{"__REALTIME_TIMESTAMP":"1795401608000000","_HOSTNAME":"mx","SYSLOG_IDENTIFIER":'
            '"postfix/smtp","_PID":"314","MESSAGE":"ABC: to=<a@b>, status=sent (ok)"}')
    e = EnvelopeParser().parse(line)
    assert (e.host, e.program, e.pid) == ("mx", "postfix/smtp", 314)
    assert e.timestamp == datetime.fromtimestamp(1795401608, UTC)
    assert e.message.startswith("ABC: to=")


def test_journald_binary_message():
    e = EnvelopeParser().parse('{"SYSLOG_IDENTIFIER":"postfix/smtp","MESSAGE":[65,255,66]}')
    assert e.message == "A\\xffB"


def test_exim_mainlog_prefix():
    e = EnvelopeParser().parse("2020-06-20 01:32:57.123 +0200 [4242] 1jmPyv-0005Lf-9X => a@b R=x")
    assert e.program == "exim" and e.pid == 4242 and e.message.startswith("1jmPyv")
    assert e.timestamp.utcoffset() == timedelta(hours=2) and e.timestamp.microsecond == 123000


def test_exim_stamps_of_one_second_keep_their_milliseconds():
    p = EnvelopeParser()
    a = p.parse("2020-06-20 01:32:57.123 +0200 [1] 1jmPyv-0005Lf-9X Completed")
    b = p.parse("2020-06-20 01:32:57.456 +0200 [1] 1jmPyv-0005Lf-9X Completed")
    c = p.parse("2020-06-20 01:32:57 +0100 [1] 1jmPyv-0005Lf-9X Completed")
    assert (a.timestamp.microsecond, b.timestamp.microsecond, c.timestamp.microsecond) == (123000, 456000, 0)
    assert b.timestamp - a.timestamp == timedelta(milliseconds=333)
    assert c.timestamp.utcoffset() == timedelta(hours=1)


def test_iso_stamp_with_a_space_before_a_syslog_head():
    """rsyslog's date-mysql/date-pgsql, syslog-ng and metalog templates write
    "2026-11-22 13:31:27 host prog[pid]: msg": Exim's stamp, a syslog line
    after it. Without a zone the stamp is local time, as an RFC 3164 one."""
    cet = timezone(timedelta(hours=1))
    p = EnvelopeParser(tz=cet)
    for line, ts in (
            ("2026-11-22 13:31:27 mx postfix/smtp[7]: X: removed", datetime(2026, 11, 22, 13, 31, 27, tzinfo=cet)),
            ("2026-11-22 13:31:27.123456+00:00 mx postfix/smtp[7]: X: removed",
             datetime(2026, 11, 22, 13, 31, 27, 123456, tzinfo=UTC)),
            ("2026-11-22 13:31:27,5Z mx postfix/smtp[7]: X: removed",
             datetime(2026, 11, 22, 13, 31, 27, 500000, tzinfo=UTC))):
        e = p.parse(line)
        assert (e.timestamp, e.host, e.program, e.pid, e.message) == (ts, "mx", "postfix/smtp", 7, "X: removed"), line
    # Exim through such a syslog (fail2ban's test data): its own stamp inside is the event's
    e = p.parse("2019-10-22 03:39:17 mx1.fqdn.local exim[29786]: 2019-10-22 03:39:18 1rABCD-000123-AB Completed")
    assert (e.host, e.program, e.pid, e.message) == ("mx1.fqdn.local", "exim", 29786, "1rABCD-000123-AB Completed")
    assert e.timestamp == datetime(2019, 10, 22, 3, 39, 18, tzinfo=cet)
    # the lines of Exim's own main log stay Exim's: about a message, or of no program an MTA claims
    claims = EnvelopeParser(syslog_claims=lambda program: program.startswith("postfix"))
    for line in ("2026-11-22 13:31:27 1rABCD-000123-AB => a@b.example R=dnslookup T=remote_smtp H=mx [192.0.2.1]",
                 "2026-11-22 13:31:27 Start queue run: pid=6562",
                 "2026-11-22 13:31:27 tls session: yes", "2026-11-22 13:31:27 rcpt_acl: macro: From:Sender",
                 "2026-11-22 13:31:27 event auth:fail", "2026-11-22 13:31:27 pid 27421: SIGHUP received"):
        e = claims.parse(line)
        assert e.program == "exim" and e.host is None and e.message == line[20:], line
    assert claims.parse("2026-11-22 13:31:27 mx postfix/qmgr[3]: X: removed").program == "postfix/qmgr"


def test_severity_for_the_host_of_the_boky_postfix_image():
    """The docker image boky/postfix logs "<RFC 3339> INFO    postfix/smtp[990]:
    ..." (lines as quoted in its users' READMEs and issues): no host, the
    severity padded where it would be. Only severities are taken for it."""
    p = EnvelopeParser()
    for line in ("2026-09-18T05:39:24.161156+00:00 INFO    postfix/smtp[990]: C1: removed",
                 "2026-09-18T05:39:24.161156+00:00 WARNING postfix/smtp[990]: C1: removed",
                 "2026-09-18T05:39:24.161156+00:00 INFO postfix/smtp[990]: C1: removed"):
        e = p.parse(line)
        assert (e.host, e.program, e.pid, e.message) == (None, "postfix/smtp", 990, "C1: removed"), line
        assert e.timestamp == datetime(2026, 9, 18, 5, 39, 24, 161156, tzinfo=UTC)
    assert p.parse("2026-09-18T05:39:24+00:00 HELLO    postfix/smtp[990]: C1: removed") is None
    assert p.parse("2026-09-18T05:39:24+00:00 mx postfix/smtp[990]: C1: removed").host == "mx"


def test_container_runtime_log_files():
    """Kubernetes' CRI log files (containerd, CRI-O) and Docker's json-file
    logs wrap a container's whole line: the line's own head, the runtime's
    stamp. Wrappers in wrappers are read a few deep, never as deep as a
    hostile line is long."""
    import json
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC)
    syslog = "Nov 22 13:31:27 mail postfix/smtp[7]: X: removed"
    boky = "2026-11-22T13:31:27.5+00:00 INFO    postfix/smtp[7]: X: removed"
    exim = "2026-11-22 13:31:27 1rABCD-000123-AB Completed"
    stamp = datetime(2026, 11, 22, 13, 31, 27, 123456, tzinfo=UTC)
    for line, host in ((f"2026-11-22T13:31:27.123456789Z stdout F {syslog}", "mail"),
                       (f"2026-11-22T13:31:27.123456789Z stderr P {boky}", None),
                       (json.dumps({"log": syslog + "\n", "stream": "stdout", "time": "2026-11-22T13:31:27.123456789Z"}),
                        "mail")):
        e = p.parse(line)
        assert (e.timestamp, e.host, e.program, e.pid, e.message) == (stamp, host, "postfix/smtp", 7, "X: removed"), line
    e = p.parse(f"2026-11-22T13:31:27.123456789Z stdout F {exim}")
    assert (e.program, e.message) == ("exim", "1rABCD-000123-AB Completed")
    e = p.parse(json.dumps({"log": syslog + "\n", "stream": "stdout"}))   # no time: the line's own
    assert e.timestamp == datetime(2026, 11, 22, 13, 31, 27, tzinfo=UTC)
    for junk in ("2026-11-22T13:31:27Z stdout X " + syslog, "2026-11-22T13:31:27Z stdout F hello",
                 json.dumps({"log": "hello\n"}), json.dumps({"log": 5})):
        assert p.parse(junk) is None, junk
    deep = "2026-11-22T13:31:27Z stdout F " * 30_000 + syslog
    assert p.parse(deep) is None
    assert p.parse("2026-11-22T13:31:27Z stdout F " * 3 + syslog).program == "postfix/smtp"


def test_log_shipper_documents():
    """Filebeat, Logstash, Vector and Fluent Bit forward a line as
    ``{"message": "<line>", "@timestamp": ...}`` (the first document is the
    one lightmeter's tests read, in the shared corpus); when the shipper
    parsed the head off, ECS's process and host fields name the program."""
    import json
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC)
    line = ('{"log-source":"filebeat","@version":"1","input":{"type":"log"},"ecs":{"version":"1.6.0"},'
            '"message":"Mar 20 07:54:52 mail postfix/smtp[6807]: 586711880093: to=<XXXXXXXX>, relay=XXXXX[XXXXX]:25, '
            'delay=4.1, delays=0.15/0.01/1.4/2.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 6ECB0A8019A)",'
            '"log-type":"mail","hostname":"melian","@timestamp":"2021-03-20T06:54:55.835Z",'
            '"log":{"file":{"path":"/var/log/mail.log"},"offset":4020961}}')
    e = p.parse(line)
    assert (e.timestamp, e.host, e.program, e.pid) == (datetime(2021, 3, 20, 6, 54, 55, 835000, tzinfo=UTC),
                                                       "mail", "postfix/smtp", 6807)
    assert e.message.startswith("586711880093: to=<XXXXXXXX>")
    e = p.parse(json.dumps({"message": "X: removed", "@timestamp": "2026-11-22T13:31:27Z",
                            "process": {"name": "postfix/qmgr", "pid": 7}, "host": {"hostname": "mx1"}}))
    assert (e.timestamp, e.host, e.program, e.pid, e.message) == (
        datetime(2026, 11, 22, 13, 31, 27, tzinfo=UTC), "mx1", "postfix/qmgr", 7, "X: removed")
    e = p.parse(json.dumps({"message": "Nov 22 13:31:27 mail postfix/smtp[7]: X: removed", "timestamp": 5}))
    assert (e.timestamp, e.program) == (datetime(2026, 11, 22, 13, 31, 27, tzinfo=UTC), "postfix/smtp")
    e = p.parse('{"message": "X: removed", "process": {"name": "postfix/qmgr\\udcff", "pid": 99999999999999999999999},'
                ' "host": {"hostname": "mx\\udcff"}}')   # nested strings and numbers are checked too
    assert (e.program, e.host, e.pid) == ("postfix/qmgr\\udcff", "mx\\udcff", None)
    e.program.encode("utf-8") and e.host.encode("utf-8")
    for junk in (json.dumps({"message": "hello"}), json.dumps({"message": "x", "process": {"name": 5}}),
                 json.dumps({"message": 5}), json.dumps({"message": "x", "process": "postfix"})):
        assert p.parse(junk) is None, junk


def test_journalctl_short_unix_and_short_full():
    cet = timezone(timedelta(hours=1))
    p = EnvelopeParser(tz=cet)
    for line, ts in (("1700000000.123456 mail postfix/smtp[7]: X: removed",
                      datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=UTC)),
                     ("Sun 2026-11-22 13:31:27 CET mail postfix/smtp[7]: X: removed",
                      datetime(2026, 11, 22, 13, 31, 27, tzinfo=cet)),    # an abbreviation: the local zone
                     ("Sun 2026-11-22 13:31:27.5 UTC mail postfix/smtp[7]: X: removed",
                      datetime(2026, 11, 22, 13, 31, 27, 500000, tzinfo=UTC))):
        e = p.parse(line)
        assert (e.timestamp, e.host, e.program, e.pid, e.message) == (ts, "mail", "postfix/smtp", 7, "X: removed"), line
    for junk in ("Sun 2026-13-22 13:31:27 CET mail postfix/smtp[7]: x", "Sun hello", "99999999999.1 x",
                 "1700000000.123456 nohead"):
        assert p.parse(junk) is None, junk


def test_exim_impossible_zone_is_no_stamp():
    assert EnvelopeParser().parse("2020-06-20 01:32:57 +9900 [1] 1jmPyv-0005Lf-9X Completed") is None


def test_garbage_is_none():
    p = EnvelopeParser()
    for junk in ["", "\x00\x00", "hello world", "{not json", "<13>", "2026-13-45T99:00:00Z x y: z",
                 "Foo 12 12:00:00 h p: m", "\ufffd" * 100]:
        assert p.parse(junk) is None


def test_local_stamp_out_of_datetime_range_is_no_stamp_not_a_crash():
    """A zoneless stamp at datetime's edge read in this machine's zone
    (tz=None): astimezone() raised out of the parser and stopped the run."""
    from collections import Counter

    from bouncewatch.plugin.lineparse import LineParser
    lines = ["0001-01-01 00:00:00 [3] 1rABCD-000123-AB ** a@b.example R=x T=y: 550 no",
             "0001-01-01 00:00:00 mx postfix/smtp[3]: AAA111: to=<a@b.example>, status=bounced (x)",
             "Mon 0001-01-01 00:00:00 CET mx postfix/smtp[3]: AAA111: to=<a@b.example>, status=bounced (x)",
             "Nov 20 06:12:44 mx exim[3]: 0001-01-01 00:00:00 1rABCD-000123-AB ** a@b.example R=x T=y: 550 no"]
    for line in lines:
        assert EnvelopeParser(tz=None).parse(line) is None or line.startswith("Nov")
        counts = Counter()
        assert LineParser().parse(line, counts) is None
        assert LineParser().parse_block([line], counts) == []
        assert not [k for k in counts if "parser_error" in k]


def test_odd_pid_and_stamp_fields_of_journal_and_rfc5424_lines():
    """A pid or __REALTIME_TIMESTAMP that str.isdigit() takes and int() or
    fromtimestamp() refuses raised out of the parser and stopped the run;
    the field is dropped, the line kept."""
    import json
    msg = "AAA111: to=<a@b.example>, status=bounced (x)"
    base = {"MESSAGE": msg, "SYSLOG_IDENTIFIER": "postfix/smtp", "_PID": "3",
            "__REALTIME_TIMESTAMP": "1700000000000000", "_HOSTNAME": "mx"}
    p = EnvelopeParser(tz=UTC)
    for key, value in (("_PID", "\u00b2"), ("_PID", "9" * 5000), ("SYSLOG_PID", "\u00b9"),
                       ("__REALTIME_TIMESTAMP", "9" * 5000), ("__REALTIME_TIMESTAMP", "9" * 18)):
        e = p.parse(json.dumps({**base, key: value}))
        assert e is not None and e.message == msg
        assert e.pid is None if key.endswith("PID") else e.timestamp is None
    for pid in ("\u00b2", "9" * 5000):
        e = p.parse(f"<13>1 2026-11-20T06:12:44Z mx postfix/smtp {pid} - - {msg}")
        assert e is not None and e.pid is None and e.message == msg


def test_lone_surrogate_escape_in_json_line_becomes_text():
    """"\\udcff" is valid JSON and no character: left in the message it
    raised in the classifier's RE2 and the JSON encoder and stopped the run."""
    line = "Nov 20 06:12:44 mx postfix/smtp[3]: AAA111: to=<a\\udcff@b.example>, status=bounced (x \\ud800)"
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC)
    docker = p.parse('{"log": "%s\\n", "stream": "stdout", "time": "2026-11-20T06:12:44Z"}' % line)
    journal = p.parse('{"MESSAGE": "%s", "SYSLOG_IDENTIFIER": "postfix/smt\\udcffp", "_HOSTNAME": "m\\ud800x"}'
                      % line[36:])
    assert docker.message == line[36:] and journal.message == docker.message
    assert "a\\udcff@b.example" in docker.message
    for e in (docker, journal):
        for text in (e.message, e.program, e.host):
            text.encode("utf-8")


def _claims(program: str) -> bool:
    from bouncewatch.plugin.lineparse import _claimant
    return _claimant(program, "auto") is not None


def test_head_with_no_host_name():
    """A container's syslog on its stdout writes no host name: "Dec  4
    14:44:07 postfix/smtp[2097]: ..." (panubo/docker-postfix issue 37), and
    behind docker's --timestamps stamp "2018-08-22T07:30:18.130405545Z
    postfix/smtp[137]: ..." (Mailu issue 583). Read as the MTA's program,
    host None; before, the queue id was taken for the program and the line
    for another program's."""
    p = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC, syslog_claims=_claims)
    msg = "8D4A91560BE: to=<a@example.org>, relay=none, delay=1, status=deferred (x)"
    for line, ts in ((f"Dec  4 14:44:07 postfix/smtp[2097]: {msg}", datetime(2025, 12, 4, 14, 44, 7, tzinfo=UTC)),
                     (f"<22>Dec  4 14:44:07 postfix/smtp[2097]: {msg}", datetime(2025, 12, 4, 14, 44, 7, tzinfo=UTC)),
                     (f"2018-08-22T07:30:18.130405545Z postfix/smtp[2097]: {msg}",
                      datetime(2018, 8, 22, 7, 30, 18, 130405, tzinfo=UTC))):
        e = p.parse(line)
        assert (e.timestamp, e.host, e.program, e.pid, e.message) == (ts, None, "postfix/smtp", 2097, msg), line
    e = p.parse("Dec  4 14:44:08 sm-mta: kAK6004039066: to=<a@example.org>, stat=Sent")
    assert (e.host, e.program, e.pid) == (None, "sm-mta", None)
    # a message with no second "word:" (nothing _HOST_PROG could take for a program)
    assert p.parse("Dec  4 14:44:08 postfix/smtpd[9]: connect from x[192.0.2.1]").program == "postfix/smtpd"
    # a program no MTA claims, or a host that ends with ":", keeps the host reading
    e = p.parse("Dec  4 14:44:08 opendkim[3]: 8D4A91560BE: DKIM-Signature field added")
    assert (e.host, e.program) == ("opendkim[3]:", "8D4A91560BE")
    e = p.parse("Dec  4 14:44:08 fe80:: postfix/qmgr[1]: 8D4A91560BE: removed")
    assert (e.host, e.program) == ("fe80::", "postfix/qmgr")
    # without syslog_claims nothing tells a program from a host: read as before
    e = EnvelopeParser(ref=datetime(2026, 11, 23, tzinfo=UTC), tz=UTC).parse(f"Dec  4 14:44:07 postfix/smtp[2097]: {msg}")
    assert (e.host, e.program) == ("postfix/smtp[2097]:", "8D4A91560BE")
