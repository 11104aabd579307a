# tests/lib/dnsdump.pl FILE
# Reads the pcap file dnsmasq writes with --dumpfile (raw IPv4/IPv6 packets
# carrying UDP) and prints one line per DNS message in it, as received:
#   id=ID flags=0xFFFF qd=N an=N ns=N ar=N len=BYTES name=NAME
# (NAME: the first question's, in the case it was sent).  Core perl only.
use strict;
use warnings;
open my $f, '<:raw', $ARGV[0] or die "dnsdump.pl: $ARGV[0]: $!\n";
local $/;
my $pcap = <$f>;
die "dnsdump.pl: not a pcap file\n" if length $pcap < 24;
my $le = unpack('V', $pcap) == 0xa1b2c3d4;
my $u32 = $le ? 'V' : 'N';
my $pos = 24;
while ($pos + 16 <= length $pcap) {
    my $caplen = unpack $u32, substr $pcap, $pos + 8, 4;
    my $pkt = substr $pcap, $pos + 16, $caplen;
    $pos += 16 + $caplen;
    my $ip = (unpack 'C', $pkt) >> 4;
    my $skip = $ip == 4 ? 4 * ((unpack 'C', $pkt) & 15) : 40;
    my $dns = substr $pkt, $skip + 8;    # past the UDP header
    next if length $dns < 12;
    my ($id, $flags, $qd, $an, $ns, $ar) = unpack 'n6', $dns;
    my ($p, @labels) = (12);
    while ($p < length $dns) {
        my $l = unpack 'C', substr $dns, $p, 1;
        last if $l == 0 || $l >= 0xc0;
        push @labels, substr $dns, $p + 1, $l;
        $p += 1 + $l;
    }
    printf "id=%d flags=0x%04x qd=%d an=%d ns=%d ar=%d len=%d name=%s\n",
        $id, $flags, $qd, $an, $ns, $ar, length $dns, join '.', @labels;
}
