#!/usr/bin/perl
#
# generate_geography_seed.pl - write seeds/25_geography_seed.sql from the files in seeds/orgs/.
#
# How to re-run (no make needed; Perl 5 core modules only):
#
#     perl seeds/generate_geography_seed.pl              # from the repository root, or
#     cd seeds && perl generate_geography_seed.pl        # from this folder
#     perl seeds/generate_geography_seed.pl OUT.sql      # write somewhere else (default: next to this script)
#
# then review `git diff seeds/25_geography_seed.sql`, run the geography regression test and commit
# both the data and the generated file.  The output is deterministic (no timestamps), so re-running
# on unchanged data gives an identical file.  The Makefile does not regenerate it.
#
# What it does.  It reads the organisation CSVs (RFC 4180, UTF-8, header row, empty field = NULL)
# and writes INSERT ... SELECT ... FROM (VALUES ...) statements in the seed order of
# docs/data-model.md §13.3: country, nhs_england_region, integrated_care_board, local_health_board,
# paediatric_diabetes_network, trust, organisation, paediatric_diabetes_unit.  References are
# resolved in SQL by natural code (LEFT JOIN on ods_code / ons_code / ...), never by guessed ids;
# rows are inserted in order of their code, so the identity ids are the same on every install.
# The GeoJSON boundary files are not parsed here: each is embedded once, verbatim, as a
# dollar-quoted literal and split into features by PostGIS/jsonb in SQL.  The generated script ends
# with a check that every reference the CSVs name did resolve, so a broken seed fails CREATE
# EXTENSION instead of loading silently.
#
# Project decisions applied here (documented in docs/geography.md):
#   * PZ248 Jersey and its site RGT1W: the source parent RGT is kept as text but not linked; the
#     unit rolls up to country Jersey (E92000003) and network PN01 only.
#   * PZ999 (RCPCH) has no parent, ICB, region, country or network in the source; nothing is added.
#   * Doubtful links (PZ171 parent R1L, PZ092 LHB 7A3, the eight parents from a code prefix, the six
#     PDUs whose ICB sources disagree) are kept as the source gives them and flagged in
#     data_quality_flags.  PZ206 ("currently not in use") is seeded with is_active = false.
#
use strict;
use warnings;
use Encode qw(decode);
use File::Basename qw(dirname);
use File::Spec;

my $here = dirname(File::Spec->rel2abs(__FILE__));
my $data_dir = File::Spec->catdir($here, 'orgs');
my $out_path = $ARGV[0] // File::Spec->catfile($here, '25_geography_seed.sql');

my $JERSEY = 'E92000003';

# ---------------------------------------------------------------------------------------------
# A small RFC 4180 reader: quoted fields with "" escapes, embedded commas and line breaks,
# CRLF/LF/CR record ends, optional UTF-8 BOM.  Returns a list of hashes keyed by the header;
# empty fields (quoted or not) become undef.
# ---------------------------------------------------------------------------------------------
sub read_csv {
    my ($name, @required) = @_;
    my $path = File::Spec->catfile($data_dir, $name);
    open(my $fh, '<:raw', $path) or die "cannot open $path: $!\n";
    my $bytes = do { local $/; <$fh> };
    close $fh;
    my $text = decode('UTF-8', $bytes, Encode::FB_CROAK);
    $text =~ s/\A\x{FEFF}//;

    my (@records, @record);
    my $len = length $text;
    pos($text) = 0;
    while (pos($text) < $len) {
        my $field;
        if ($text =~ /\G"([^"]*(?:""[^"]*)*)"/gc) {
            ($field = $1) =~ s/""/"/g;
        } else {
            $text =~ /\G([^",\r\n]*)/gc;
            $field = $1;
        }
        push @record, $field;
        if ($text =~ /\G,/gc) {
            push @record, '' if pos($text) == $len;    # a trailing comma ends with an empty field
            next;
        }
        if ($text =~ /\G(?:\r\n|\n|\r)/gc || pos($text) == $len) {
            push @records, [@record] unless @record == 1 && $record[0] eq '';
            @record = ();
            next;
        }
        die sprintf("%s: malformed CSV near character %d\n", $name, pos($text));
    }
    push @records, [@record] if @record;

    my $header = shift @records or die "$name: empty file\n";
    my %has = map { $_ => 1 } @$header;
    for my $col (@required) {
        die "$name: missing column $col\n" unless $has{$col};
    }
    my @rows;
    for my $i (0 .. $#records) {
        my $rec = $records[$i];
        die sprintf("%s: record %d has %d fields, the header has %d\n", $name, $i + 2, scalar @$rec, scalar @$header)
            unless @$rec == @$header;
        my %row;
        @row{@$header} = map { $_ eq '' ? undef : $_ } @$rec;
        push @rows, \%row;
    }
    return @rows;
}

# An SQL literal: NULL, '...' or, when non-ASCII characters occur, U&'...' with \XXXX escapes, so
# the install script is pure ASCII whatever encoding the server assumes for it.
sub lit {
    my ($v) = @_;
    return 'NULL' unless defined $v;
    (my $q = $v) =~ s/'/''/g;
    return "'$q'" unless $q =~ /[^\x20-\x7E]/;
    $q =~ s/\\/\\\\/g;
    $q =~ s/([^\x20-\x7E])/ord($1) > 0xFFFF ? sprintf('\\+%06X', ord $1) : sprintf('\\%04X', ord $1)/ge;
    return "U&'$q'";
}

# A text[] literal from a list of codes.
sub arr {
    my @items = @_;
    for (@items) { die "unexpected character in array item '$_'\n" unless /\A[A-Za-z0-9_]+\z/ }
    return "'{" . join(',', @items) . "}'";
}

sub split_codes {
    my ($v) = @_;
    return () unless defined $v;
    return grep { length } split /[;,\s]+/, $v;
}

# "(a, b, c)" lines for a VALUES list.
sub values_rows {
    my ($rows, $cols) = @_;
    return join(",\n", map { my $r = $_; '    (' . join(', ', map { lit($r->{$_}) } @$cols) . ')' } @$rows);
}

sub index_by {
    my ($key, @rows) = @_;
    my %idx;
    for my $r (@rows) {
        my $k = $r->{$key};
        die "duplicate or missing key $key\n" if !defined $k || exists $idx{$k};
        $idx{$k} = $r;
    }
    return \%idx;
}

sub must_exist {
    my ($idx, $code, $what) = @_;
    die "$what: $code does not resolve\n" if defined $code && !exists $idx->{$code};
}

sub count_defined {
    my ($col, @rows) = @_;
    return scalar grep { defined $_->{$col} } @rows;
}

# ---------------------------------------------------------------------------------------------
# Read and cross-check the sources.
# ---------------------------------------------------------------------------------------------
my @countries = read_csv('countries.csv', qw(ons_code name name_welsh long lat note));
my @regions   = read_csv('nhs_england_regions.csv', qw(region_code ons_code name country_ons_code long lat));
my @icbs      = read_csv('integrated_care_boards.csv',
    qw(ods_code ons_code name ons_name nhs_england_region_code nhs_england_region_ons_code country_ons_code long lat));
my @lhbs      = read_csv('local_health_boards.csv', qw(ods_code ons_code name ons_name name_welsh country_ons_code long lat));
my @networks  = read_csv('paediatric_diabetes_networks.csv', qw(pn_code name));
my @trusts    = read_csv('trusts.csv',
    qw(ods_code name address_line_1 address_line_2 town postcode country_ons_code icb_ods_code
       nhs_england_region_code icb_ods_codes_all icb_ambiguous));
my @orgs      = read_csv('organisations.csv',
    qw(ods_code name address1 address2 address3 city county postcode latitude longitude website
       parent_ods_code parent_name parent_type local_authority_code country_ons_code icb_ods_code
       nhs_england_region_code site_icb_ons_code lhb_ods_code pz_code));
my @pdus      = read_csv('paediatric_diabetes_units.csv',
    qw(pz_code lead_organisation_ods_code lead_organisation_name lead_ods_code_kind other_ods_codes
       parent_ods_code parent_name parent_type parent_derivation paediatric_diabetes_network_code
       icb_ods_code icb_derivation icb_ods_code_trust_map icb_trust_map_ambiguous icb_sources_agree
       nhs_england_region_code lhb_ods_code country_ons_code postcode latitude longitude
       npda_repo_ods_code npda_repo_organisation_name npda_repo_trust_name notes));

my $country_by = index_by('ons_code', @countries);
my $region_by  = index_by('region_code', @regions);
my $icb_by     = index_by('ods_code', @icbs);
my $icb_by_ons = index_by('ons_code', @icbs);
my $lhb_by     = index_by('ods_code', @lhbs);
my $pn_by      = index_by('pn_code', @networks);
my $trust_by   = index_by('ods_code', @trusts);
my $org_by     = index_by('ods_code', @orgs);
my $pdu_by     = index_by('pz_code', @pdus);

must_exist($country_by, $_->{country_ons_code}, "region $_->{region_code} country") for @regions;
for my $i (@icbs) {
    must_exist($region_by, $i->{nhs_england_region_code}, "ICB $i->{ods_code} region");
    must_exist($country_by, $i->{country_ons_code}, "ICB $i->{ods_code} country");
    die "ICB $i->{ods_code}: region ONS code disagrees\n"
        unless $region_by->{$i->{nhs_england_region_code}}{ons_code} eq $i->{nhs_england_region_ons_code};
}
must_exist($country_by, $_->{country_ons_code}, "LHB $_->{ods_code} country") for @lhbs;

for my $t (@trusts) {
    must_exist($country_by, $t->{country_ons_code}, "trust $t->{ods_code} country");
    must_exist($icb_by, $t->{icb_ods_code}, "trust $t->{ods_code} ICB");
    must_exist($region_by, $t->{nhs_england_region_code}, "trust $t->{ods_code} region");
    my @all = split_codes($t->{icb_ods_codes_all});
    must_exist($icb_by, $_, "trust $t->{ods_code} icb_ods_codes_all") for @all;
    $t->{icb_ods_codes_all_sql} = \@all;
}

for my $o (@orgs) {
    my $pt = $o->{parent_type} // '';
    die "site $o->{ods_code}: unexpected parent_type $pt\n" unless $pt =~ /\A(?:trust|local_health_board|)\z/;
    must_exist($country_by, $o->{country_ons_code}, "site $o->{ods_code} country");
    must_exist($icb_by, $o->{icb_ods_code}, "site $o->{ods_code} ICB");
    must_exist($icb_by_ons, $o->{site_icb_ons_code}, "site $o->{ods_code} site ICB");
    must_exist($region_by, $o->{nhs_england_region_code}, "site $o->{ods_code} region");
    must_exist($lhb_by, $o->{lhb_ods_code}, "site $o->{ods_code} LHB");
    must_exist($pdu_by, $o->{pz_code}, "site $o->{ods_code} PZ code");
    # The link actually made: the parent trust, except in Jersey (project decision, see header).
    my $is_jersey = ($o->{country_ons_code} // '') eq $JERSEY;
    $o->{link_trust} = ($pt eq 'trust' && !$is_jersey) ? $o->{parent_ods_code} : undef;
    must_exist($trust_by, $o->{link_trust}, "site $o->{ods_code} parent trust");
    die "site $o->{ods_code}: LHB parent and lhb_ods_code disagree\n"
        if $pt eq 'local_health_board' && ($o->{lhb_ods_code} // '') ne $o->{parent_ods_code};
}

# Manual decisions, each guarded by the source fact it depends on: if the data changes, the
# generator stops and the decision has to be revisited (and docs/geography.md updated).
my %guard = (
    PZ171 => sub { ($_[0]{parent_ods_code} // '') eq 'R1L' },
    PZ092 => sub { ($_[0]{parent_ods_code} // '') eq '7A3' },
    PZ206 => sub { ($_[0]{notes} // '') =~ /currently not in use/ },
    PZ248 => sub { ($_[0]{country_ons_code} // '') eq $JERSEY && ($_[0]{parent_ods_code} // '') eq 'RGT' },
    PZ999 => sub { !defined $_[0]{parent_ods_code} && !defined $_[0]{country_ons_code} },
);
for my $pz (sort keys %guard) {
    die "$pz: not in paediatric_diabetes_units.csv\n" unless $pdu_by->{$pz};
    die "$pz: the source changed; revisit the decision in docs/geography.md and this generator\n"
        unless $guard{$pz}->($pdu_by->{$pz});
}
my %manual_flags = (
    PZ092 => ['parent_probably_stale'],
    PZ171 => ['parent_doubtful'],
    PZ206 => ['not_in_use'],
    PZ248 => ['parent_not_followed'],
    PZ999 => ['no_geography'],
);

for my $u (@pdus) {
    my $pz = $u->{pz_code};
    my $pt = $u->{parent_type} // '';
    my $kind = $u->{lead_ods_code_kind};
    die "$pz: unexpected lead_ods_code_kind\n" unless $kind =~ /\A(?:site|trust|local_health_board|unknown)\z/;
    die "$pz: lead site not in the site list\n" if $kind eq 'site' && !$org_by->{$u->{lead_organisation_ods_code}};
    my $is_jersey = ($u->{country_ons_code} // '') eq $JERSEY;
    $u->{link_trust} = ($pt eq 'trust' && !$is_jersey) ? $u->{parent_ods_code} : undef;
    $u->{link_lead} = $kind eq 'site' ? $u->{lead_organisation_ods_code} : undef;
    die "$pz: LHB parent and lhb_ods_code disagree\n"
        if $pt eq 'local_health_board' && ($u->{lhb_ods_code} // '') ne $u->{parent_ods_code};
    must_exist($trust_by, $u->{link_trust}, "$pz parent trust");
    must_exist($lhb_by, $u->{lhb_ods_code}, "$pz LHB");
    must_exist($icb_by, $u->{icb_ods_code}, "$pz ICB");
    must_exist($region_by, $u->{nhs_england_region_code}, "$pz region");
    must_exist($country_by, $u->{country_ons_code}, "$pz country");
    must_exist($pn_by, $u->{paediatric_diabetes_network_code}, "$pz network");
    die "$pz: region differs from its ICB's\n"
        if defined $u->{icb_ods_code}
        && $icb_by->{$u->{icb_ods_code}}{nhs_england_region_code} ne ($u->{nhs_england_region_code} // '');
    die "$pz: Jersey unit with an English/Welsh link\n"
        if $is_jersey && (defined $u->{icb_ods_code} || defined $u->{lhb_ods_code} || defined $u->{nhs_england_region_code});

    my @other = split_codes($u->{other_ods_codes});
    $u->{other_sql} = \@other;

    $u->{is_active} = ($u->{notes} // '') =~ /currently not in use/ ? 'false' : 'true';

    my @flags = @{ $manual_flags{$pz} // [] };
    push @flags, 'parent_from_code_prefix' if ($u->{parent_derivation} // '') =~ /prefix/;
    push @flags, 'icb_from_trust_map' if ($u->{icb_derivation} // '') =~ /\Atrust_icb_map/;
    push @flags, 'icb_sources_disagree' if ($u->{icb_sources_agree} // '') eq 'false';
    push @flags, 'no_location' unless defined $u->{latitude} && defined $u->{longitude};
    push @flags, 'no_network' unless defined $u->{paediatric_diabetes_network_code};
    push @flags, 'lead_ods_code_changed'
        if defined $u->{npda_repo_ods_code} && $u->{npda_repo_ods_code} ne $u->{lead_organisation_ods_code};
    $u->{flags_sql} = \@flags;
}

# ---------------------------------------------------------------------------------------------
# Write the SQL.
# ---------------------------------------------------------------------------------------------
my @out;
sub emit { push @out, @_ }

emit(<<'SQL');
-- npda geography seed: generated by seeds/generate_geography_seed.pl from seeds/orgs/*.csv and
-- seeds/orgs/boundaries/*.geojson; do not edit.  Re-run the generator instead (see its header).
--
-- Sources, licences and attribution: seeds/SOURCES.md.  What is seeded and the doubtful links:
-- docs/geography.md.  Tables: migrations/1.0/20_geography.sql.  Seed order: docs/data-model.md §13.3.
-- References are resolved by natural code; the check at the end fails CREATE EXTENSION if any
-- reference did not resolve or any boundary was not attached.
SQL

emit(sprintf(<<'SQL', values_rows(\@countries, [qw(ons_code name name_welsh long lat note)])));

-- countries (countries.csv); Jersey E92000003 is an RCPCH pseudo-code with no boundary
INSERT INTO npda.country (ons_code, name, name_welsh, label_point, note)
SELECT v.ons_code, v.name, v.name_welsh,
       ST_SetSRID(ST_MakePoint(v.long::double precision, v.lat::double precision), 4326),
       v.note
  FROM (VALUES
%s
       ) AS v(ons_code, name, name_welsh, long, lat, note)
 ORDER BY v.ons_code;
SQL

emit(sprintf(<<'SQL', values_rows(\@regions, [qw(region_code ons_code name country_ons_code long lat)])));

-- NHS England regions (nhs_england_regions.csv)
INSERT INTO npda.nhs_england_region (region_code, ons_code, name, country_id, label_point)
SELECT v.region_code, v.ons_code, v.name, c.id,
       ST_SetSRID(ST_MakePoint(v.long::double precision, v.lat::double precision), 4326)
  FROM (VALUES
%s
       ) AS v(region_code, ons_code, name, country_ons_code, long, lat)
  LEFT JOIN npda.country c ON c.ons_code = v.country_ons_code
 ORDER BY v.region_code;
SQL

emit(sprintf(<<'SQL', values_rows(\@icbs, [qw(ods_code ons_code name ons_name nhs_england_region_code country_ons_code long lat)])));

-- integrated care boards (integrated_care_boards.csv)
INSERT INTO npda.integrated_care_board (ods_code, ons_code, name, ons_name, nhs_england_region_id, country_id, label_point)
SELECT v.ods_code, v.ons_code, v.name, v.ons_name, r.id, c.id,
       ST_SetSRID(ST_MakePoint(v.long::double precision, v.lat::double precision), 4326)
  FROM (VALUES
%s
       ) AS v(ods_code, ons_code, name, ons_name, nhs_england_region_code, country_ons_code, long, lat)
  LEFT JOIN npda.nhs_england_region r ON r.region_code = v.nhs_england_region_code
  LEFT JOIN npda.country c ON c.ons_code = v.country_ons_code
 ORDER BY v.ods_code;
SQL

emit(sprintf(<<'SQL', values_rows(\@lhbs, [qw(ods_code ons_code name ons_name name_welsh country_ons_code long lat)])));

-- Welsh local health boards (local_health_boards.csv)
INSERT INTO npda.local_health_board (ods_code, ons_code, name, ons_name, name_welsh, country_id, label_point)
SELECT v.ods_code, v.ons_code, v.name, v.ons_name, v.name_welsh, c.id,
       ST_SetSRID(ST_MakePoint(v.long::double precision, v.lat::double precision), 4326)
  FROM (VALUES
%s
       ) AS v(ods_code, ons_code, name, ons_name, name_welsh, country_ons_code, long, lat)
  LEFT JOIN npda.country c ON c.ons_code = v.country_ons_code
 ORDER BY v.ods_code;
SQL

emit(sprintf(<<'SQL', values_rows(\@networks, [qw(pn_code name)])));

-- paediatric diabetes networks (paediatric_diabetes_networks.csv)
INSERT INTO npda.paediatric_diabetes_network (pn_code, name)
SELECT v.pn_code, v.name
  FROM (VALUES
%s
       ) AS v(pn_code, name)
 ORDER BY v.pn_code;
SQL

{
    my @cols = qw(ods_code name address_line_1 address_line_2 town postcode country_ons_code icb_ods_code
                  nhs_england_region_code);
    my $rows = join(",\n", map {
        my $t = $_;
        '    (' . join(', ', (map { lit($t->{$_}) } @cols), arr(@{ $t->{icb_ods_codes_all_sql} }), lit($t->{icb_ambiguous})) . ')'
    } @trusts);
    emit(sprintf(<<'SQL', $rows));

-- trusts (trusts.csv); the ICB is the trust map's (last row wins), arbitrary where icb_ambiguous
INSERT INTO npda.trust (ods_code, name, address_line_1, address_line_2, town, postcode, country_id,
                        integrated_care_board_id, nhs_england_region_id, icb_ods_codes_all, icb_ambiguous)
SELECT v.ods_code, v.name, v.address_line_1, v.address_line_2, v.town, v.postcode, c.id,
       i.id, r.id, v.icb_ods_codes_all::text[], v.icb_ambiguous::boolean
  FROM (VALUES
%s
       ) AS v(ods_code, name, address_line_1, address_line_2, town, postcode, country_ons_code,
              icb_ods_code, nhs_england_region_code, icb_ods_codes_all, icb_ambiguous)
  LEFT JOIN npda.country c ON c.ons_code = v.country_ons_code
  LEFT JOIN npda.integrated_care_board i ON i.ods_code = v.icb_ods_code
  LEFT JOIN npda.nhs_england_region r ON r.region_code = v.nhs_england_region_code
 ORDER BY v.ods_code;
SQL
}

{
    my @cols = qw(ods_code name address1 address2 address3 city county postcode latitude longitude website
                  parent_ods_code parent_name parent_type link_trust lhb_ods_code local_authority_code
                  country_ons_code icb_ods_code site_icb_ons_code nhs_england_region_code);
    emit(sprintf(<<'SQL', values_rows(\@orgs, \@cols)));

-- hospital and community sites (organisations.csv).  trust_ods_code is the parent trust, except
-- for the Jersey site RGT1W, whose source parent RGT (Cambridge) is kept in parent_ods_code only.
INSERT INTO npda.organisation (ods_code, name, address1, address2, address3, city, county, postcode,
                               location, website, parent_ods_code, parent_name, parent_type, trust_id,
                               local_health_board_id, local_authority_code, country_id,
                               integrated_care_board_id, site_integrated_care_board_id, nhs_england_region_id)
SELECT v.ods_code, v.name, v.address1, v.address2, v.address3, v.city, v.county, v.postcode,
       ST_SetSRID(ST_MakePoint(v.longitude::double precision, v.latitude::double precision), 4326),
       v.website, v.parent_ods_code, v.parent_name, v.parent_type, t.id,
       l.id, v.local_authority_code, c.id,
       i.id, si.id, r.id
  FROM (VALUES
%s
       ) AS v(ods_code, name, address1, address2, address3, city, county, postcode, latitude, longitude,
              website, parent_ods_code, parent_name, parent_type, trust_ods_code, lhb_ods_code,
              local_authority_code, country_ons_code, icb_ods_code, site_icb_ons_code, nhs_england_region_code)
  LEFT JOIN npda.trust t ON t.ods_code = v.trust_ods_code
  LEFT JOIN npda.local_health_board l ON l.ods_code = v.lhb_ods_code
  LEFT JOIN npda.country c ON c.ons_code = v.country_ons_code
  LEFT JOIN npda.integrated_care_board i ON i.ods_code = v.icb_ods_code
  LEFT JOIN npda.integrated_care_board si ON si.ons_code = v.site_icb_ons_code
  LEFT JOIN npda.nhs_england_region r ON r.region_code = v.nhs_england_region_code
 ORDER BY v.ods_code;
SQL
}

{
    my @cols1 = qw(pz_code lead_organisation_name lead_organisation_ods_code lead_organisation_name
                   lead_ods_code_kind link_lead);
    my @cols2 = qw(parent_ods_code parent_name parent_type parent_derivation link_trust lhb_ods_code
                   icb_ods_code icb_derivation icb_ods_code_trust_map icb_trust_map_ambiguous icb_sources_agree
                   nhs_england_region_code country_ons_code paediatric_diabetes_network_code postcode
                   latitude longitude npda_repo_ods_code npda_repo_organisation_name npda_repo_trust_name
                   is_active);
    my $rows = join(",\n", map {
        my $u = $_;
        '    (' . join(', ',
            (map { lit($u->{$_}) } @cols1),
            arr(@{ $u->{other_sql} }),
            (map { lit($u->{$_}) } @cols2),
            arr(@{ $u->{flags_sql} }),
            lit($u->{notes})) . ')'
    } @pdus);
    emit(sprintf(<<'SQL', $rows));

-- paediatric diabetes units (paediatric_diabetes_units.csv).  trust_ods_code is the parent trust
-- except for PZ248 Jersey (parent RGT kept as text only); Welsh units link to their LHB; the ICB
-- is the unit's own (site in polygon, else trust map), not the trust's.
INSERT INTO npda.paediatric_diabetes_unit (
       pz_code, name, lead_organisation_ods_code, lead_organisation_name, lead_ods_code_kind,
       lead_organisation_id, other_ods_codes, parent_ods_code, parent_name, parent_type, parent_derivation,
       trust_id, local_health_board_id, integrated_care_board_id, icb_derivation, icb_ods_code_trust_map,
       icb_trust_map_ambiguous, icb_sources_agree, nhs_england_region_id, country_id,
       paediatric_diabetes_network_id, postcode, location, npda_repo_ods_code, npda_repo_organisation_name,
       npda_repo_trust_name, is_active, data_quality_flags, notes)
SELECT v.pz_code, v.name, v.lead_organisation_ods_code, v.lead_organisation_name, v.lead_ods_code_kind,
       o.id, v.other_ods_codes::text[], v.parent_ods_code, v.parent_name, v.parent_type, v.parent_derivation,
       t.id, l.id, i.id, v.icb_derivation, v.icb_ods_code_trust_map,
       v.icb_trust_map_ambiguous::boolean, v.icb_sources_agree::boolean, r.id, c.id,
       n.id, v.postcode,
       ST_SetSRID(ST_MakePoint(v.longitude::double precision, v.latitude::double precision), 4326),
       v.npda_repo_ods_code, v.npda_repo_organisation_name,
       v.npda_repo_trust_name, v.is_active::boolean, v.data_quality_flags::text[], v.notes
  FROM (VALUES
%s
       ) AS v(pz_code, name, lead_organisation_ods_code, lead_organisation_name, lead_ods_code_kind,
              lead_site_ods_code, other_ods_codes, parent_ods_code, parent_name, parent_type, parent_derivation,
              trust_ods_code, lhb_ods_code, icb_ods_code, icb_derivation, icb_ods_code_trust_map,
              icb_trust_map_ambiguous, icb_sources_agree, nhs_england_region_code, country_ons_code,
              pn_code, postcode, latitude, longitude, npda_repo_ods_code, npda_repo_organisation_name,
              npda_repo_trust_name, is_active, data_quality_flags, notes)
  LEFT JOIN npda.organisation o ON o.ods_code = v.lead_site_ods_code
  LEFT JOIN npda.trust t ON t.ods_code = v.trust_ods_code
  LEFT JOIN npda.local_health_board l ON l.ods_code = v.lhb_ods_code
  LEFT JOIN npda.integrated_care_board i ON i.ods_code = v.icb_ods_code
  LEFT JOIN npda.nhs_england_region r ON r.region_code = v.nhs_england_region_code
  LEFT JOIN npda.country c ON c.ons_code = v.country_ons_code
  LEFT JOIN npda.paediatric_diabetes_network n ON n.pn_code = v.pn_code
 ORDER BY v.pz_code;
SQL
}

{
    my @sites = grep { defined $_->{pz_code} } @orgs;
    emit(sprintf(<<'SQL', values_rows(\@sites, [qw(ods_code pz_code)])));

-- sites -> PDU (organisations.csv, pz_code), set once the PDUs exist
UPDATE npda.organisation o
   SET paediatric_diabetes_unit_id = u.id
  FROM (VALUES
%s
       ) AS v(ods_code, pz_code)
  JOIN npda.paediatric_diabetes_unit u ON u.pz_code = v.pz_code
 WHERE o.ods_code = v.ods_code;
SQL
}

# Boundaries: each GeoJSON file embedded once, verbatim, as one SQL string literal (quotes doubled;
# U&'' escapes for its few non-ASCII characters, e.g. a Welsh name); matched on the ONS code and
# the second code of the table.
sub geojson_literal {
    my ($name, $expect_features) = @_;
    my $path = File::Spec->catfile($data_dir, 'boundaries', $name);
    open(my $fh, '<:raw', $path) or die "cannot open $path: $!\n";
    my $bytes = do { local $/; <$fh> };
    close $fh;
    my $text = decode('UTF-8', $bytes, Encode::FB_CROAK);
    die "$name: does not look like a FeatureCollection\n" unless $text =~ /\A\s*\{.*"FeatureCollection"/s;
    my $n = () = $text =~ /"type"\s*:\s*"Feature"/g;
    die "$name: $n features, expected $expect_features\n" unless $n == $expect_features;
    return (lit($text), $n);
}

my %boundary_features;
for my $b (
    ['npda.country', 'country_boundaries_dec2022_uk_buc.geojson', undef,
     scalar(grep { $_->{ons_code} ne $JERSEY } @countries)],
    ['npda.nhs_england_region', 'nhs_england_region_boundaries_jul2022_buc.geojson', 'region_code', scalar @regions],
    ['npda.integrated_care_board', 'icb_boundaries_apr2023_bsc.geojson', 'ods_code', scalar @icbs],
    ['npda.local_health_board', 'lhb_boundaries_apr2022_buc.geojson', 'ods_code', scalar @lhbs],
) {
    my ($table, $file, $second, $expect) = @$b;
    my ($literal, $n) = geojson_literal($file, $expect);
    $boundary_features{$table} = $n;
    my $extra = defined $second ? "\n   AND f.feature -> 'properties' ->> '$second' = b.$second" : '';
    emit(<<"SQL");

-- boundaries of $table: seeds/orgs/boundaries/$file ($n features)
UPDATE $table AS b
   SET boundary = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f.feature -> 'geometry'), 4326))
  FROM jsonb_array_elements(${literal}::jsonb -> 'features') AS f(feature)
 WHERE f.feature -> 'properties' ->> 'ons_code' = b.ons_code$extra;
SQL
}

# The final check: counts of rows and of resolved references, as the CSVs say they must be.
{
    my @jersey_orgs = grep { ($_->{country_ons_code} // '') eq $JERSEY } @orgs;
    my @checks = (
        ['country rows',                       'SELECT count(*) FROM npda.country', scalar @countries],
        ['nhs_england_region rows',            'SELECT count(*) FROM npda.nhs_england_region', scalar @regions],
        ['integrated_care_board rows',         'SELECT count(*) FROM npda.integrated_care_board', scalar @icbs],
        ['local_health_board rows',            'SELECT count(*) FROM npda.local_health_board', scalar @lhbs],
        ['paediatric_diabetes_network rows',   'SELECT count(*) FROM npda.paediatric_diabetes_network', scalar @networks],
        ['trust rows',                         'SELECT count(*) FROM npda.trust', scalar @trusts],
        ['organisation rows',                  'SELECT count(*) FROM npda.organisation', scalar @orgs],
        ['paediatric_diabetes_unit rows',      'SELECT count(*) FROM npda.paediatric_diabetes_unit', scalar @pdus],
        ['trust.integrated_care_board_id',     'SELECT count(integrated_care_board_id) FROM npda.trust', count_defined('icb_ods_code', @trusts)],
        ['trust.nhs_england_region_id',        'SELECT count(nhs_england_region_id) FROM npda.trust', count_defined('nhs_england_region_code', @trusts)],
        ['organisation.trust_id',              'SELECT count(trust_id) FROM npda.organisation', count_defined('link_trust', @orgs)],
        ['organisation.local_health_board_id', 'SELECT count(local_health_board_id) FROM npda.organisation', count_defined('lhb_ods_code', @orgs)],
        ['organisation.country_id',            'SELECT count(country_id) FROM npda.organisation', count_defined('country_ons_code', @orgs)],
        ['organisation.integrated_care_board_id', 'SELECT count(integrated_care_board_id) FROM npda.organisation', count_defined('icb_ods_code', @orgs)],
        ['organisation.site_integrated_care_board_id', 'SELECT count(site_integrated_care_board_id) FROM npda.organisation', count_defined('site_icb_ons_code', @orgs)],
        ['organisation.nhs_england_region_id', 'SELECT count(nhs_england_region_id) FROM npda.organisation', count_defined('nhs_england_region_code', @orgs)],
        ['organisation.paediatric_diabetes_unit_id', 'SELECT count(paediatric_diabetes_unit_id) FROM npda.organisation', count_defined('pz_code', @orgs)],
        ['paediatric_diabetes_unit.lead_organisation_id', 'SELECT count(lead_organisation_id) FROM npda.paediatric_diabetes_unit', count_defined('link_lead', @pdus)],
        ['paediatric_diabetes_unit.trust_id',  'SELECT count(trust_id) FROM npda.paediatric_diabetes_unit', count_defined('link_trust', @pdus)],
        ['paediatric_diabetes_unit.local_health_board_id', 'SELECT count(local_health_board_id) FROM npda.paediatric_diabetes_unit', count_defined('lhb_ods_code', @pdus)],
        ['paediatric_diabetes_unit.integrated_care_board_id', 'SELECT count(integrated_care_board_id) FROM npda.paediatric_diabetes_unit', count_defined('icb_ods_code', @pdus)],
        ['paediatric_diabetes_unit.nhs_england_region_id', 'SELECT count(nhs_england_region_id) FROM npda.paediatric_diabetes_unit', count_defined('nhs_england_region_code', @pdus)],
        ['paediatric_diabetes_unit.country_id', 'SELECT count(country_id) FROM npda.paediatric_diabetes_unit', count_defined('country_ons_code', @pdus)],
        ['paediatric_diabetes_unit.paediatric_diabetes_network_id', 'SELECT count(paediatric_diabetes_network_id) FROM npda.paediatric_diabetes_unit', count_defined('paediatric_diabetes_network_code', @pdus)],
        ['paediatric_diabetes_unit.location',  'SELECT count(location) FROM npda.paediatric_diabetes_unit', scalar grep { defined $_->{latitude} && defined $_->{longitude} } @pdus],
        ['PDUs whose region differs from their ICB region',
         'SELECT count(*) FROM npda.paediatric_diabetes_unit u JOIN npda.integrated_care_board i ON i.id = u.integrated_care_board_id WHERE u.nhs_england_region_id IS DISTINCT FROM i.nhs_england_region_id', 0],
        ['Jersey sites linked to a trust',     "SELECT count(*) FROM npda.organisation o JOIN npda.country c ON c.id = o.country_id WHERE c.ons_code = '$JERSEY' AND o.trust_id IS NOT NULL", 0],
        (map { ["$_ boundaries", "SELECT count(boundary) FROM $_", $boundary_features{$_}] } sort keys %boundary_features),
    );
    my $rows = join(",\n", map { sprintf("        ('%s', (%s), %d)", @$_) } @checks);
    emit(<<"SQL");

-- the seed must be complete: every row, every reference the CSVs name, every boundary
DO \$check\$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.what, c.actual, c.expected
          FROM (VALUES
$rows
               ) AS c(what, actual, expected)
         WHERE c.actual IS DISTINCT FROM c.expected
    LOOP
        RAISE EXCEPTION 'npda geography seed is incomplete: % is %, expected %', r.what, r.actual, r.expected;
    END LOOP;
END
\$check\$;
SQL
}

open(my $out, '>:raw', $out_path) or die "cannot write $out_path: $!\n";
print {$out} join('', @out);
close $out or die "cannot write $out_path: $!\n";
printf STDERR "wrote %s (%d bytes)\n", $out_path, -s $out_path;
