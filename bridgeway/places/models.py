"""Geography and census population for England and Wales.

Codes are current ONS codes (LAD 2023/2024, PFA 2024); census 2021 districts are carried to
them through the ONS LAD22 to LAD23 lookup (see ``places/data/SOURCES.md``).
"""

from __future__ import annotations

from django.db import models


class PoliceForceArea(models.Model):
    """A police force area, which is also a Police and Crime Commissioner's area."""

    code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=1, choices=[("E", "England"), ("W", "Wales")])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LocalAuthorityDistrict(models.Model):
    """A local authority district, in exactly one police force area."""

    code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=100)
    police_force_area = models.ForeignKey(
        PoliceForceArea, on_delete=models.PROTECT, related_name="districts"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeDistrict(models.Model):
    """An outcode (``LS6``, ``B11``) and the districts it touches, main one first."""

    outcode = models.CharField(max_length=4, primary_key=True)
    districts = models.ManyToManyField(
        LocalAuthorityDistrict, through="PostcodeDistrictArea", related_name="postcode_districts"
    )

    def __str__(self) -> str:
        return self.outcode


class PostcodeDistrictArea(models.Model):
    """One district an outcode touches; ``rank`` 1 is the district most of it lies in."""

    postcode_district = models.ForeignKey(PostcodeDistrict, on_delete=models.CASCADE)
    district = models.ForeignKey(LocalAuthorityDistrict, on_delete=models.CASCADE)
    rank = models.PositiveSmallIntegerField()
    sample_postcodes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["postcode_district", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["postcode_district", "district"], name="places_outcode_district_unique"
            ),
            models.UniqueConstraint(
                fields=["postcode_district", "rank"], name="places_outcode_rank_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.postcode_district_id} → {self.district_id} (rank {self.rank})"


class DistrictNeighbour(models.Model):
    """Two districts that share a postcode district, and so a border people cross."""

    district = models.ForeignKey(
        LocalAuthorityDistrict, on_delete=models.CASCADE, related_name="neighbour_links"
    )
    neighbour = models.ForeignKey(
        LocalAuthorityDistrict, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "neighbour"], name="places_neighbour_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(district=models.F("neighbour")),
                name="places_neighbour_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} borders {self.neighbour_id}"


class CensusPopulation(models.Model):
    """Census 2021 usual residents of one district in one ONS ethnic group."""

    district = models.ForeignKey(
        LocalAuthorityDistrict, on_delete=models.CASCADE, related_name="census_population"
    )
    ethnic_group = models.CharField(max_length=40)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "ethnic_group"], name="places_census_district_group_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.ethnic_group}: {self.count}"
